// Original file: proto/kubedos/v1/hub.proto


export interface CertificatesRequest {
}

export interface CertificatesRequest__Output {
}
