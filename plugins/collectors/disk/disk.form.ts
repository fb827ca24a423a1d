import { defineForm } from '../../../app/plugin-host/index.js';
import { DiskConfig } from './disk.config.js';

/** The disk collector's options as a form. */
export const diskForm = defineForm(
  DiskConfig,
  [
    {
      name: 'disks_exclude',
      type: 'list',
      label: 'Leave out mount points',
      help: 'One glob per line: * matches any characters (also /), ? one character. Pseudo file systems (proc, sysfs, tmpfs, overlay, squashfs, …) are always left out.',
      placeholder: '/snap/*',
    },
  ],
  { help: 'Size, used space and percent used of every mounted file system that holds data.' },
);
