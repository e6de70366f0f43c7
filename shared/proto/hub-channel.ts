import * as grpc from '@grpc/grpc-js';
import { HUB_TLS_NAME } from '../pki/hub-tls-name.ts';
import { MINION_MAX_RECEIVE_BYTES } from './contract.ts';

/**
 * Credentials and options for talking to the hub's node listener: TLS that
 * trusts exactly the pinned hub certificate (no system CAs), with the name
 * checked against the certificate's fixed name rather than the dialled
 * address, which differs by substrate (LAN IP, wg1 address, loopback).
 */
export function hubChannel(hubCaPem: string): { credentials: grpc.ChannelCredentials; options: grpc.ChannelOptions } {
  return {
    credentials: grpc.credentials.createSsl(Buffer.from(hubCaPem)),
    options: {
      'grpc.ssl_target_name_override': HUB_TLS_NAME,
      'grpc.default_authority': HUB_TLS_NAME,
      'grpc.max_receive_message_length': MINION_MAX_RECEIVE_BYTES,
      'grpc.keepalive_time_ms': 20_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.initial_reconnect_backoff_ms': 500,
      'grpc.max_reconnect_backoff_ms': 10_000,
    },
  };
}
