import fs from 'node:fs';
import path from 'node:path';
import { IMAGES_DIR, IMAGES_PACKAGE } from '../../shared/kubernetes/packages.ts';
import { run } from '../tools.ts';
import type { BuiltImage } from './kube-images.ts';

/**
 * The kubelet, kubeadm and kubectl packages, laid out like the Kubernetes
 * project's own (pkgs.k8s.io, made from kubernetes/release's krel
 * templates): the same names, the binaries in /usr/bin, kubelet's unit in
 * /usr/lib/systemd/system with /etc/default/kubelet for KUBELET_EXTRA_ARGS,
 * and kubeadm's drop-in that starts kubelet with what kubeadm wrote. A site
 * may give upstream's .debs with --extra-debs instead; either set installs
 * the same files.
 *
 * kubedos-images carries the release's container images (one docker
 * archive each), which a node imports into containerd before kubeadm runs.
 *
 * dpkg-deb makes them, with every mtime at the release date, root-owned,
 * zstd-compressed: equal inputs give equal bytes.
 */
export interface KubeDeb {
  package: string;
  file: string;
}

const KUBELET_UNIT = `[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`;

const KUBEADM_DROP_IN = `# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
# This is a file that "kubeadm init" and "kubeadm join" generates at runtime, populating the KUBELET_KUBEADM_ARGS variable dynamically
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# This is a file that the user can use for overrides of the kubelet args as a last resort. Preferably, the user should use
# the .NodeRegistration.KubeletExtraArgs object in the configuration files instead. KUBELET_EXTRA_ARGS should be sourced from this file.
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`;

/** What dh_installsystemd writes for an enabled, not started unit: kubeadm starts kubelet when the node has a config. */
const KUBELET_POSTINST = `#!/bin/sh
set -e
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ]; then
	if deb-systemd-helper --quiet was-enabled 'kubelet.service'; then
		deb-systemd-helper enable 'kubelet.service' >/dev/null || true
	else
		deb-systemd-helper update-state 'kubelet.service' >/dev/null || true
	fi
	if [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
	fi
fi
`;

const KUBELET_POSTRM = `#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
	systemctl --system daemon-reload >/dev/null || true
fi
if [ "$1" = "purge" ] && [ -x "/usr/bin/deb-systemd-helper" ]; then
	deb-systemd-helper purge 'kubelet.service' >/dev/null || true
fi
`;

const KUBELET_PRERM = `#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
	deb-systemd-invoke stop 'kubelet.service' >/dev/null || true
fi
`;

interface DebSpec {
  package: string;
  summary: string;
  section: string;
  depends?: string;
  recommends?: string;
  files: { path: string; mode: number; from?: string; text?: string }[];
  conffiles?: string[];
  scripts?: Record<string, string>;
  /** The description's second line. */
  origin: string;
}

function specs(bin: string, images: readonly BuiltImage[], version: string): DebSpec[] {
  const origin = `Built by kubedos from k8s.io/kubernetes v${version} (its Go modules, verified by go.sum).`;
  const binary = (name: string) => ({ path: `usr/bin/${name}`, mode: 0o755, from: path.join(bin, name) });
  return [
    {
      package: 'kubelet',
      summary: 'Node agent for Kubernetes clusters',
      section: 'net',
      depends: 'mount, util-linux',
      recommends: 'iptables (>= 1.8.4)',
      files: [
        binary('kubelet'),
        { path: 'usr/lib/systemd/system/kubelet.service', mode: 0o644, text: KUBELET_UNIT },
        { path: 'etc/default/kubelet', mode: 0o644, text: 'KUBELET_EXTRA_ARGS=\n' },
        // dpkg keeps no empty folder: upstream ships these markers too.
        { path: 'var/lib/kubelet/.kubelet-keep', mode: 0o644, text: '' },
        { path: 'etc/kubernetes/manifests/.kubelet-keep', mode: 0o644, text: '' },
      ],
      conffiles: ['/etc/default/kubelet'],
      scripts: { postinst: KUBELET_POSTINST, prerm: KUBELET_PRERM, postrm: KUBELET_POSTRM },
      origin,
    },
    {
      package: 'kubeadm',
      summary: 'Command-line utility for administering a Kubernetes cluster',
      section: 'admin',
      files: [
        binary('kubeadm'),
        { path: 'usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', mode: 0o644, text: KUBEADM_DROP_IN },
      ],
      origin,
    },
    {
      package: 'kubectl',
      summary: 'Command-line utility for interacting with a Kubernetes cluster',
      section: 'admin',
      files: [binary('kubectl')],
      origin,
    },
    {
      package: IMAGES_PACKAGE,
      summary: 'Container images of the Kubernetes release, for nodes that pull from no registry',
      section: 'admin',
      depends: 'containerd',
      files: images.map((i) => ({ path: `${IMAGES_DIR.slice(1)}/${i.name}.tar`, mode: 0o644, from: i.file })),
      origin: `Built by kubedos: ${images.map((i) => i.ref).join(', ')}.`,
    },
  ];
}

/** Builds the four packages from the built programs and images into outDir. */
export async function buildKubeDebs(opts: {
  binDir: string;
  images: readonly BuiltImage[];
  /** The Kubernetes release without its "v" ("1.35.4"). */
  version: string;
  debRevision: string;
  /** Seconds since the epoch: every file's mtime, and dpkg-deb's own timestamps. */
  epoch: number;
  workDir: string;
  outDir: string;
}): Promise<KubeDeb[]> {
  const debs: KubeDeb[] = [];
  for (const spec of specs(opts.binDir, opts.images, opts.version)) {
    const root = path.join(opts.workDir, spec.package);
    fs.rmSync(root, { recursive: true, force: true });
    for (const f of spec.files) {
      const dest = path.join(root, f.path);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      if (f.from) fs.copyFileSync(f.from, dest);
      else fs.writeFileSync(dest, f.text ?? '');
      fs.chmodSync(dest, f.mode);
    }
    const version = `${opts.version}-${opts.debRevision}`;
    const installedKb = Math.ceil(spec.files.reduce((n, f) => n + fs.statSync(path.join(root, f.path)).size, 0) / 1024);
    const control = [
      `Package: ${spec.package}`,
      `Version: ${version}`,
      'Architecture: amd64',
      'Maintainer: kubedos <kubedos@localhost>',
      `Installed-Size: ${installedKb}`,
      ...(spec.depends ? [`Depends: ${spec.depends}`] : []),
      ...(spec.recommends ? [`Recommends: ${spec.recommends}`] : []),
      `Section: ${spec.section}`,
      'Priority: optional',
      'Homepage: https://kubernetes.io',
      `Description: ${spec.summary}`,
      ` ${spec.origin}`,
    ].join('\n');
    const debian = path.join(root, 'DEBIAN');
    fs.mkdirSync(debian, { recursive: true });
    fs.writeFileSync(path.join(debian, 'control'), `${control}\n`);
    if (spec.conffiles) fs.writeFileSync(path.join(debian, 'conffiles'), spec.conffiles.map((c) => `${c}\n`).join(''));
    for (const [name, text] of Object.entries(spec.scripts ?? {})) {
      fs.writeFileSync(path.join(debian, name), text);
      fs.chmodSync(path.join(debian, name), 0o755);
    }
    setMtimes(root, opts.epoch);
    debs.push({ package: spec.package, file: await dpkgBuild(root, opts.outDir, spec.package, version, opts.epoch) });
    fs.rmSync(root, { recursive: true, force: true });
  }
  return debs;
}

/**
 * dpkg-deb --build of a staged package into outDir as name_version_amd64.deb:
 * root-owned, zstd, dpkg-deb's own timestamps at the epoch (and newer mtimes
 * clamped to it). Returns the file.
 */
export async function dpkgBuild(
  root: string,
  outDir: string,
  name: string,
  version: string,
  epoch: number,
): Promise<string> {
  const file = path.join(outDir, `${name}_${version}_amd64.deb`);
  await run('dpkg-deb', ['--root-owner-group', '-Zzstd', '--build', root, file], {
    env: { SOURCE_DATE_EPOCH: String(epoch) },
  });
  return file;
}

function setMtimes(dir: string, epoch: number): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) setMtimes(p, epoch);
    fs.utimesSync(p, epoch, epoch);
  }
  // The same modes whatever the builder's umask.
  fs.chmodSync(dir, 0o755);
  fs.utimesSync(dir, epoch, epoch);
}
