import { describe, expect, it } from 'vitest';
import { retryOnDeadlock } from './connect';

const pgError = (code: string) => Object.assign(new Error(code), { code });

describe('retryOnDeadlock', () => {
  it('runs a deadlock victim again and returns its result', async () => {
    let calls = 0;
    const result = await retryOnDeadlock(async () => {
      calls++;
      if (calls < 3) throw pgError('40P01');
      return 'done';
    });
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after the last attempt with the database error', async () => {
    let calls = 0;
    await expect(retryOnDeadlock(async () => {
      calls++;
      throw pgError('40001');
    }, 2)).rejects.toMatchObject({ code: '40001' });
    expect(calls).toBe(2);
  });

  it('does not repeat other errors', async () => {
    let calls = 0;
    await expect(retryOnDeadlock(async () => {
      calls++;
      throw pgError('23505');
    })).rejects.toMatchObject({ code: '23505' });
    expect(calls).toBe(1);
  });
});
