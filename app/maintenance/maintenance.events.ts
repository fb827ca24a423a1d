import type { MaintenanceWindow } from './maintenance-window.js';

/** A window's occurrence began or ended (also on deletion or an edit that ends it early). */
export interface MaintenanceChanged {
  window: MaintenanceWindow;
  /** When it began or ended (epoch ms). */
  at: number;
}

declare module '../events/pulse-events.js' {
  interface PulseEvents {
    'maintenance.started': MaintenanceChanged;
    'maintenance.ended': MaintenanceChanged;
  }
}
