import type { ModuleRef } from '@nestjs/core';

/** An alert channel as the alarm form offers it. */
export interface AlertChannelChoice {
  name: string;
  isDefault: boolean;
}

/**
 * The alert channels an alarm can name, as the alarm pages see them. Alarms define this port and the
 * alerts feature provides it (alerts depend on alarms for their events, never the reverse).
 */
export abstract class AlertChannelChoices {
  abstract list(): Promise<AlertChannelChoice[]>;
}

/** The provider the alerts feature registered, found at run time; none on a server without alerts. */
export function alertChannelChoicesOf(moduleRef: ModuleRef): AlertChannelChoices {
  try {
    return moduleRef.get(AlertChannelChoices, { strict: false });
  } catch {
    return { list: () => Promise.resolve([]) };
  }
}
