import { describe, expect, it } from 'vitest';
import { Schedule } from './schedule';

describe('Schedule', () => {
  it('runs actions by time, then in the order they were scheduled, tick by tick', () => {
    const s = new Schedule(0, 1000);
    const ran: string[] = [];
    s.add(2500, () => ran.push('c'));
    s.add(1000, () => ran.push('a1'));
    s.add(1000, () => ran.push('a2'));
    s.add(999, () => ran.push('a0'));
    s.add(0, () => ran.push('start'));
    s.add(1001, () => ran.push('b'));
    const drain = (until: number) => {
      for (let due = s.takeDue(until); due; due = s.takeDue(until)) {
        due.run();
        // An action may schedule another one due in the same tick: it still runs in time order.
        if (ran.at(-1) === 'b') s.add(1500, () => ran.push('b2'));
      }
    };
    drain(1000);
    expect(ran).toEqual(['start', 'a0', 'a1', 'a2']);
    drain(2000);
    expect(ran).toEqual(['start', 'a0', 'a1', 'a2', 'b', 'b2']);
    expect(s.size).toBe(1);
    drain(3000);
    expect(ran.at(-1)).toBe('c');
    expect(s.size).toBe(0);
  });

  it('keeps order among many random entries', () => {
    const s = new Schedule(0, 1000);
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const at = Math.floor(((i * 7919) % 10_000) + 1);
      s.add(at, () => times.push(at));
    }
    for (let until = 1000; until <= 10_000; until += 1000) for (let due = s.takeDue(until); due; due = s.takeDue(until)) due.run();
    expect(times).toHaveLength(2000);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
