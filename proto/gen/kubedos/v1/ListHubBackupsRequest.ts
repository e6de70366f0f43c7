// Original file: proto/kubedos/v1/hub.proto


export interface ListHubBackupsRequest {
}

export interface ListHubBackupsRequest__Output {
}
