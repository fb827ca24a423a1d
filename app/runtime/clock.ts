import { Injectable } from '@nestjs/common';

/** Wall-clock time in epoch milliseconds; tests replace it to move time without waiting. */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}
