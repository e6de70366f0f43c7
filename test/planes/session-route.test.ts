import assert from 'node:assert/strict';
import { chooseSessionRoute, handshakeAge, hubAcceptsLanSession } from '../../shared/planes/session-route.ts';

const base = {
  lanEndpoint: '10.10.0.10:7443',
  wg1Endpoint: '10.78.0.1:7443',
  consecutiveWg1Failures: 0,
  wg1HandshakeAgeSeconds: 5,
};

describe('session route over the management plane', () => {
  it('uses the LAN until the hub names its wg1 endpoint, then wg1', () => {
    assert.deepEqual(chooseSessionRoute({ ...base, wg1Endpoint: undefined }), {
      endpoint: '10.10.0.10:7443',
      via: 'lan',
    });
    assert.deepEqual(chooseSessionRoute(base), { endpoint: '10.78.0.1:7443', via: 'wg1' });
  });

  it('stays on wg1 through a few failures while the handshake is fresh', () => {
    assert.equal(chooseSessionRoute({ ...base, consecutiveWg1Failures: 10, wg1HandshakeAgeSeconds: 60 }).via, 'wg1');
    assert.equal(chooseSessionRoute({ ...base, consecutiveWg1Failures: 2, wg1HandshakeAgeSeconds: 900 }).via, 'wg1');
  });

  it('falls back to the LAN, saying why, when wg1 is stale and sessions keep failing', () => {
    const r = chooseSessionRoute({ ...base, consecutiveWg1Failures: 3, wg1HandshakeAgeSeconds: 181 });
    assert.equal(r.via, 'lan');
    assert.equal(r.endpoint, '10.10.0.10:7443');
    assert.match(r.warning!, /wg1 to the hub is down \(last handshake 181s ago, 3 failed sessions\)/);
    assert.match(
      chooseSessionRoute({ ...base, consecutiveWg1Failures: 3, wg1HandshakeAgeSeconds: undefined }).warning!,
      /never/,
    );
  });

  it('the hub accepts a LAN session from an enrolled node only while its wg1 is stale', () => {
    assert.equal(hubAcceptsLanSession(true, 10), false);
    assert.equal(hubAcceptsLanSession(true, 200), true);
    assert.equal(hubAcceptsLanSession(true, undefined), true);
    assert.equal(hubAcceptsLanSession(false, 10), true);
  });

  it('turns wg show timestamps into ages', () => {
    assert.equal(handshakeAge(0, 1_000_000), undefined);
    assert.equal(handshakeAge(990, 1_000_000), 10);
  });
});
