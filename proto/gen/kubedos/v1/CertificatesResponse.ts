// Original file: proto/kubedos/v1/hub.proto

import type { CertificateInfo as _kubedos_v1_CertificateInfo, CertificateInfo__Output as _kubedos_v1_CertificateInfo__Output } from '../../kubedos/v1/CertificateInfo.ts';

export interface CertificatesResponse {
  'certificates'?: (_kubedos_v1_CertificateInfo)[];
}

export interface CertificatesResponse__Output {
  'certificates': (_kubedos_v1_CertificateInfo__Output)[];
}
