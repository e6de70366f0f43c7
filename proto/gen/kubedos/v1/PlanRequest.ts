// Original file: proto/kubedos/v1/hub.proto


export interface PlanRequest {
}

export interface PlanRequest__Output {
}
