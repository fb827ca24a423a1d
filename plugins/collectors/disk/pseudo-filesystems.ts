/**
 * File system types that hold no data of their own, or whose "usage" means nothing to people: left out of
 * disk metrics always. Kernel interfaces (proc, sysfs, cgroup, …), memory-backed ones (tmpfs, devtmpfs,
 * ramfs: they grow and shrink with use, and a full /dev/shm is a memory problem), read-only images that
 * are always 100 % full (squashfs snaps, iso9660, udf), container layers (overlay: each one repeats the
 * disk under /var/lib/docker) and automount placeholders. Network file systems (nfs, cifs) are kept.
 */
export const PSEUDO_FILESYSTEMS: ReadonlySet<string> = new Set([
  'autofs',
  'binfmt_misc',
  'bpf',
  'cgroup',
  'cgroup2',
  'configfs',
  'debugfs',
  'devpts',
  'devtmpfs',
  'efivarfs',
  'fuse.gvfsd-fuse',
  'fuse.lxcfs',
  'fuse.portal',
  'fusectl',
  'hugetlbfs',
  'iso9660',
  'mqueue',
  'nsfs',
  'overlay',
  'proc',
  'pstore',
  'ramfs',
  'rootfs',
  'rpc_pipefs',
  'securityfs',
  'selinuxfs',
  'squashfs',
  'sysfs',
  'tmpfs',
  'tracefs',
  'udf',
]);
