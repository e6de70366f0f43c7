import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateWireguardKeyPair, toBase64 } from '../../shared/keys/wireguard.ts';
import { addressOf, peerRoutes, renderWgConfig, stripWgQuickKeys } from '../../shared/planes/render-wg-config.ts';
import { parseWgDump } from '../../shared/planes/wg-show.ts';
import { requireSystem } from '../support/requirements.ts';

const key = () => toBase64(generateWireguardKeyPair().privateKey);
const pub = () => toBase64(generateWireguardKeyPair().publicKey);

describe('WireGuard config rendering', () => {
  it('renders wg-quick format with every peer, sorted by key', () => {
    const [a, b] = [pub(), pub()].sort();
    const text = renderWgConfig({
      privateKey: key(),
      address: '10.78.0.41/24',
      listenPort: 51821,
      peers: [
        {
          publicKey: b!,
          allowedIps: ['10.78.0.1/32'],
          endpoint: '10.10.0.10:51821',
          persistentKeepalive: 25,
          name: 'master',
        },
        { publicKey: a!, allowedIps: ['10.80.0.21/32', '10.244.1.0/24'] },
      ],
    });
    assert.match(text, /^\[Interface\]\nPrivateKey = \S+\nAddress = 10\.78\.0\.41\/24\nListenPort = 51821\n/);
    assert.equal(text.match(/\[Peer\]/g)?.length, 2);
    assert.ok(text.indexOf(a!) < text.indexOf(b!));
    assert.match(text, /AllowedIPs = 10\.80\.0\.21\/32, 10\.244\.1\.0\/24/);
    assert.match(
      text,
      /# master\nPublicKey = \S+\nAllowedIPs = 10\.78\.0\.1\/32\nEndpoint = 10\.10\.0\.10:51821\nPersistentKeepalive = 25/,
    );
    assert.equal(addressOf(text), '10.78.0.41/24');
    const stripped = stripWgQuickKeys(text);
    assert.doesNotMatch(stripped, /Address/);
    assert.match(stripped, /ListenPort = 51821/);
  });

  it('routes the peers’ networks outside its own (pod subnets), not the plane’s own addresses', () => {
    const text = renderWgConfig({
      privateKey: key(),
      address: '10.80.0.41/24',
      listenPort: 51823,
      peers: [
        { publicKey: pub(), allowedIps: ['10.80.0.0/24'], name: 'master' },
        { publicKey: pub(), allowedIps: ['10.80.0.43/32', '10.244.43.0/24'] },
        { publicKey: pub(), allowedIps: ['10.80.0.31/32', '10.244.31.0/24'] },
        { publicKey: pub(), allowedIps: ['10.80.0.21/32'] },
      ],
    });
    assert.deepEqual(peerRoutes(text), ['10.244.31.0/24', '10.244.43.0/24']);
  });

  it('rejects malformed keys and peers without allowed IPs', () => {
    assert.throws(
      () => renderWgConfig({ privateKey: 'nope', address: '10.0.0.1/24', listenPort: 1, peers: [] }),
      /private key/,
    );
    assert.throws(
      () =>
        renderWgConfig({
          privateKey: key(),
          address: '10.0.0.1/24',
          listenPort: 1,
          peers: [{ publicKey: pub(), allowedIps: [] }],
        }),
      /no allowed IPs/,
    );
  });

  it('is accepted by wg itself (wg-quick strip equivalent parses with wg setconf syntax)', function () {
    requireSystem(this, { commands: ['wg', 'wg-quick'] });
    const text = renderWgConfig({
      privateKey: key(),
      address: '10.78.0.41/24',
      listenPort: 51821,
      peers: [
        { publicKey: pub(), allowedIps: ['10.78.0.1/32'], endpoint: '10.10.0.10:51821', persistentKeepalive: 25 },
      ],
    });
    // wg-quick strip reads a file named after the interface; compare its output with ours.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdw-strip-'));
    try {
      fs.writeFileSync(`${dir}/wg9.conf`, text, { mode: 0o600 });
      const theirs = execFileSync('wg-quick', ['strip', `${dir}/wg9.conf`]).toString();
      assert.equal(stripWgQuickKeys(text).trim(), theirs.trim());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses wg show dump', () => {
    const dump =
      'PRIV\tPUB\t51821\toff\nPEER1\t(none)\t10.10.0.21:51823\t10.80.0.21/32\t1700000000\t100\t200\t25\nPEER2\t(none)\t(none)\t(none)\t0\t0\t0\toff\n';
    const s = parseWgDump(dump);
    assert.equal(s.listenPort, 51821);
    assert.deepEqual(s.peers[0], {
      publicKey: 'PEER1',
      endpoint: '10.10.0.21:51823',
      allowedIps: ['10.80.0.21/32'],
      latestHandshake: 1700000000,
      rxBytes: 100,
      txBytes: 200,
    });
    assert.equal(s.peers[1]!.endpoint, undefined);
    assert.deepEqual(s.peers[1]!.allowedIps, []);
  });
});

describe('WireGuard keys', () => {
  it('tweetnacl public keys equal `wg pubkey` of the private key', function () {
    requireSystem(this, { commands: ['wg'] });
    for (let i = 0; i < 5; i++) {
      const kp = generateWireguardKeyPair();
      const theirs = execFileSync('wg', ['pubkey'], { input: toBase64(kp.privateKey) + '\n' })
        .toString()
        .trim();
      assert.equal(toBase64(kp.publicKey), theirs);
    }
  });
});
