/** A token was created, revoked or rotated (the console refreshes its list and re-checks open sessions). */
export interface TokenChanged {
  id: number;
  change: 'created' | 'revoked' | 'rotated';
}

declare module '../events/pulse-events.js' {
  interface PulseEvents {
    'token.changed': TokenChanged;
  }
}
