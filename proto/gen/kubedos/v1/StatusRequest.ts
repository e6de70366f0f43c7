// Original file: proto/kubedos/v1/hub.proto


export interface StatusRequest {
}

export interface StatusRequest__Output {
}
