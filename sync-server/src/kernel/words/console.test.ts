import { describe, expect, it } from 'vitest';
import { ApplicationStateName, STATE_LABEL } from '../../../protocol/applications.ts';
import { STATE_HINT, stateWords } from './console.ts';

describe('a state in the console', () => {
  it('has the one name the kiosk and the PDFs show, and at most a hint beside it', () => {
    for (const state of ApplicationStateName.options) {
      const { name, hint } = stateWords(state);
      expect(name).toBe(STATE_LABEL[state]);
      expect(hint).toBe(STATE_HINT[state] ?? null);
    }
    expect(stateWords('submitted')).toEqual({ name: 'Envoyée', hint: 'à prendre en charge' });
  });

  it('never names a state in a way that speaks to only one side', () => {
    // the console is read by the service, the kiosk by the person: a name saying "vous" is wrong for one of them
    for (const name of Object.values(STATE_LABEL)) expect(name).not.toMatch(/\b(vous|votre|vos)\b/i);
  });
});
