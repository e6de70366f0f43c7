/**
 * The name every minion expects in the hub's certificate, whatever address it
 * dials (LAN IP, wg1 address, loopback in the sim): the pin is the certificate
 * itself, so the address in the dial string does not need to be in the SANs.
 * Its own module so the minion's channel does not load X.509 for a constant.
 */
export const HUB_TLS_NAME = 'kubedos-hub';
