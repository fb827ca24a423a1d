#!/bin/sh
# mmdebstrap --customize-hook for the LILLYDOO Pulse appliance (scripts/build-appliance.ts runs it):
# $1 is the finished Debian root file system, with lillydoo-pulse already installed from our .deb.
# Everything here is configuration; every package came from apt's Debian sources or dist/deb.
set -eu

root=$1
here=$(dirname "$0")
: "${PULSE_ROOT_FS_UUID:?set by scripts/build-appliance.ts}"

# Appliance files: networkd, sshd (keys only), first-boot units, repart, journald, issue, hosts.
cp -a "$here/rootfs/." "$root/"
install -m 0755 "$here/../nginx/make-tls-cert" "$root/usr/lib/lillydoo-pulse/appliance/make-tls-cert"
install -m 0644 "$here/../nginx/lillydoo-pulse-tls-cert.service" "$root/etc/systemd/system/"
install -m 0644 "$here/../nginx/lillydoo-pulse.conf" "$root/etc/nginx/sites-available/lillydoo-pulse"
rm -f "$root/etc/nginx/sites-enabled/default"
ln -sf ../sites-available/lillydoo-pulse "$root/etc/nginx/sites-enabled/lillydoo-pulse"

# Pulse behind nginx: HTTP on loopback only, nginx's X-Forwarded-For believed. Statsd heartbeats (8127)
# stay open on every interface.
cat >>"$root/etc/lillydoo-pulse/server.toml" <<'TOML'

# LILLYDOO Pulse appliance: nginx terminates TLS on 443 and forwards to Pulse on loopback.
[http]
listen = "127.0.0.1:5000"
trusted_proxies = ["127.0.0.1"]
TOML

cat >"$root/etc/fstab" <<FSTAB
# LILLYDOO Pulse appliance. x-systemd.growfs: ext4 grows with its partition (see /etc/repart.d).
UUID=$PULSE_ROOT_FS_UUID / ext4 errors=remount-ro,x-systemd.growfs 0 1
FSTAB

# Names and resolution: systemd-resolved's stub, fed by systemd-networkd's DHCP leases.
ln -sf ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"

chroot "$root" systemctl enable \
	systemd-networkd.service systemd-resolved.service systemd-timesyncd.service \
	nginx.service ssh.service lillydoo-pulse.service \
	lillydoo-pulse-tls-cert.service lillydoo-pulse-first-token.service lillydoo-pulse-ssh-host-keys.service
# The appliance is configured already: nothing to ask on the first boot's console.
chroot "$root" systemctl mask systemd-firstboot.service

# No password logins: root's password is locked, and there is no other login user.
chroot "$root" passwd --lock root >/dev/null

# Per-machine secrets and identities are made at first boot, never shipped in the image.
rm -f "$root"/etc/ssh/ssh_host_* "$root/var/lib/systemd/random-seed"
rm -rf "$root/etc/lillydoo-pulse/tls"
