import { describe, expect, it } from 'vitest';
import { likePrefix } from './like-prefix';

describe('likePrefix', () => {
  it('matches what starts with the text, wildcards taken literally', () => {
    expect(likePrefix('W-10')).toBe('W-10%');
    expect(likePrefix('A_B')).toBe('A\\_B%');
    expect(likePrefix('50%\\')).toBe('50\\%\\\\%');
  });
});
