// Original file: proto/kubedos/v1/hub.proto


export interface EtcdBackupRequest {
}

export interface EtcdBackupRequest__Output {
}
