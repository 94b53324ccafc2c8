import { describe, expect, it } from 'vitest';
import { LatestWinsScheduler } from './scheduler';

function deferredTask(log: string[], name: string, ms: number) {
  return async (signal: AbortSignal) => {
    log.push(`start ${name}`);
    await new Promise((resolve) => setTimeout(resolve, ms));
    log.push(`end ${name}${signal.aborted ? ' (aborted)' : ''}`);
    return name;
  };
}

describe('LatestWinsScheduler', () => {
  it('runs a lone request to completion', async () => {
    const scheduler = new LatestWinsScheduler();
    await expect(scheduler.submit(deferredTask([], 'a', 5))).resolves.toBe('a');
  });

  it('a newer request supersedes the running one and replaces the waiting one: no stale queue', async () => {
    const scheduler = new LatestWinsScheduler();
    const log: string[] = [];
    const a = scheduler.submit(deferredTask(log, 'a', 30));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const b = scheduler.submit(deferredTask(log, 'b', 5));
    const c = scheduler.submit(deferredTask(log, 'c', 5));
    const [resultA, resultB, resultC] = await Promise.allSettled([a, b, c]);
    expect(resultA).toMatchObject({ status: 'rejected', reason: { name: 'CancelledError' } });
    expect(resultB).toMatchObject({ status: 'rejected', reason: { name: 'CancelledError' } });
    expect(resultC).toEqual({ status: 'fulfilled', value: 'c' });
    expect(log).toEqual(['start a', 'end a (aborted)', 'start c', 'end c']);
  });

  it('a failing request does not block the next one', async () => {
    const scheduler = new LatestWinsScheduler();
    await expect(scheduler.submit(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(scheduler.submit(async () => 'next')).resolves.toBe('next');
  });
});
