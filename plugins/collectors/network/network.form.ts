import { defineForm } from '../../../app/plugin-host/index.js';
import { NetworkConfig } from './network.config.js';

/** The network collector's options as a form. */
export const networkForm = defineForm(
  NetworkConfig,
  [
    {
      name: 'net_exclude',
      type: 'list',
      label: 'Leave out interfaces',
      help: 'One glob per line, e.g. veth* for container interfaces. The loopback interface is always left out.',
      placeholder: 'veth*',
    },
  ],
  { help: 'Bits per second received and sent on each network interface, between two collections.' },
);
