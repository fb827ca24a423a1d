import type { MaintenanceWindow } from './maintenance-window.js';

/** A window's occurrence began or ended (also on deletion or an edit that ends it early). */
export interface MaintenanceChanged {
  window: MaintenanceWindow;
  /** When it began or ended (epoch ms). */
  at: number;
}

/** A window was made, edited or deleted (through the API or the console): pages that list windows refresh. */
export interface MaintenanceEdited {
  id: number;
  change: 'created' | 'updated' | 'deleted';
}

declare module '../events/pulse-events.js' {
  interface PulseEvents {
    'maintenance.edited': MaintenanceEdited;
    'maintenance.started': MaintenanceChanged;
    'maintenance.ended': MaintenanceChanged;
  }
}
