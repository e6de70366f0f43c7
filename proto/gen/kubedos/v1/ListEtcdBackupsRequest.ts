// Original file: proto/kubedos/v1/hub.proto


export interface ListEtcdBackupsRequest {
}

export interface ListEtcdBackupsRequest__Output {
}
