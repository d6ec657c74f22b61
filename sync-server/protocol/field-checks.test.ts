import { describe, expect, it } from 'vitest';
import { amountForPerson, checkAmount, checkDate, checkField, checkIban, checkNir, dateForPerson, fieldForPerson, fieldKind, nirKey } from './field-checks.ts';
import { isValidIban } from './iban.ts';

const problem = (c: ReturnType<typeof checkIban>) => (c.ok ? 'ok' : c.problem);

describe('field checks: IBAN', () => {
  it('takes a right IBAN, typed with or without spaces, and stores it without', () => {
    expect(checkIban('FR76 3000 6000 0112 3456 7890 189')).toEqual({ ok: true, value: 'FR7630006000011234567890189' });
    expect(checkIban('fr7630006000011234567890189')).toEqual({ ok: true, value: 'FR7630006000011234567890189' });
  });

  it('refuses one wrong character by the mod-97 key, whatever the character', () => {
    const good = 'FR7630006000011234567890189';
    for (let i = 4; i < good.length; i++) {
      const bad = good.slice(0, i) + String((Number(good[i]) + 3) % 10) + good.slice(i + 1);
      const c = checkIban(bad);
      expect(c.ok, bad).toBe(false);
      expect(isValidIban(bad)).toBe(false);
      if (!c.ok) expect(c.message).toMatch(/pas correct/);
    }
  });

  it('says how many characters are missing while typing, and how many are too many', () => {
    const c = checkIban('FR76 3000 6000');
    expect(c).toMatchObject({ ok: false, problem: 'incomplete' });
    if (!c.ok) expect(c.message).toContain('Il manque 15 caractères');
    expect(checkIban('FR76300060000112345678901890')).toMatchObject({ ok: false, problem: 'wrong', message: expect.stringContaining('1 caractère en trop') });
    expect(problem(checkIban(''))).toBe('empty');
    expect(problem(checkIban('FR76-3000'))).toBe('wrong');
    expect(problem(checkIban('12'))).toBe('wrong');
  });
});

describe('field checks: dates', () => {
  it('turns a day typed jj/mm/aaaa into the stored YYYY-MM-DD, and back', () => {
    expect(checkDate('05/03/1987')).toEqual({ ok: true, value: '1987-03-05' });
    expect(checkDate('5/3/1987')).toEqual({ ok: true, value: '1987-03-05' });
    expect(checkDate('29/02/2024')).toEqual({ ok: true, value: '2024-02-29' });
    expect(dateForPerson('1987-03-05')).toBe('05/03/1987');
    expect(dateForPerson('mars 1987')).toBe('mars 1987');
  });

  it('refuses a day the calendar does not have', () => {
    expect(checkDate('29/02/2023')).toMatchObject({ ok: false, problem: 'wrong', message: expect.stringContaining('28 jours') });
    expect(checkDate('31/04/2020')).toMatchObject({ ok: false, message: expect.stringContaining('30 jours') });
    expect(checkDate('29/02/1900')).toMatchObject({ ok: false, problem: 'wrong' });
    expect(checkDate('29/02/2000')).toEqual({ ok: true, value: '2000-02-29' });
    expect(problem(checkDate('32/01/2020'))).toBe('wrong');
    expect(problem(checkDate('12/13/2020'))).toBe('wrong');
    expect(problem(checkDate('12/12/1850'))).toBe('wrong');
    expect(problem(checkDate('1987-03-05'))).toBe('wrong');
    expect(problem(checkDate('05/03/87a'))).toBe('wrong');
  });

  it('is gentle with a date still being typed', () => {
    for (const typing of ['0', '05', '05/', '05/03', '05/03/', '05/03/19']) expect(problem(checkDate(typing)), typing).toBe('incomplete');
    expect(problem(checkDate(' '))).toBe('empty');
  });
});

describe('field checks: NIR', () => {
  it('takes a NIR whose key is 97 − (number mod 97), with or without spaces', () => {
    expect(checkNir('2 55 08 14 168 025 38')).toEqual({ ok: true, value: '255081416802538' });
    expect(nirKey('2550814168025')).toBe(38);
  });

  it('reads Corsica’s 2A as 19 and 2B as 18 for the key', () => {
    const a = '17803' + '2A' + '012345';
    const b = '17803' + '2B' + '012345';
    expect(nirKey(a)).toBe(nirKey('1780319012345'));
    expect(nirKey(b)).toBe(nirKey('1780318012345'));
    expect(nirKey(a)).not.toBe(nirKey(b));
    // the same sums done by hand, as plain numbers (13 digits stay exact below 2^53)
    expect(nirKey(a)).toBe(97 - (1780319012345 % 97));
    expect(nirKey(b)).toBe(97 - (1780318012345 % 97));
    const key = String(nirKey(a)).padStart(2, '0');
    expect(checkNir(`${a}${key}`)).toEqual({ ok: true, value: `${a}${key}` });
    expect(checkNir(`${a.toLowerCase()}${key}`)).toEqual({ ok: true, value: `${a}${key}` });
    expect(problem(checkNir(`${b}${key}`))).toBe('wrong');
  });

  it('refuses a wrong key, a wrong digit, letters elsewhere, a wrong length', () => {
    expect(checkNir('255081416802539')).toMatchObject({ ok: false, problem: 'wrong', message: expect.stringContaining('clé') });
    expect(problem(checkNir('255081416812538'))).toBe('wrong');
    expect(problem(checkNir('2550814A6802538'))).toBe('wrong');
    expect(problem(checkNir('355081416802538'))).toBe('wrong');
    expect(problem(checkNir('2551314168025' + String(nirKey('2551314168025')).padStart(2, '0')))).toBe('wrong');
    expect(checkNir('2 55 08 14')).toMatchObject({ ok: false, problem: 'incomplete', message: expect.stringContaining('Il manque 8 chiffres') });
    expect(problem(checkNir('2550814168025381'))).toBe('wrong');
  });
});

describe('field checks: amounts', () => {
  it('stores euros and cents with a dot, from a comma or a dot, spaces between thousands', () => {
    expect(checkAmount('1 734,50')).toEqual({ ok: true, value: '1734.50' });
    expect(checkAmount('1734.5')).toEqual({ ok: true, value: '1734.50' });
    expect(checkAmount('45')).toEqual({ ok: true, value: '45.00' });
    expect(checkAmount('45,')).toEqual({ ok: true, value: '45.00' });
    expect(checkAmount('0,07 €')).toEqual({ ok: true, value: '0.07' });
    expect(amountForPerson('1734.50')).toBe('1734,50');
  });

  it('refuses what is not an amount, in words', () => {
    expect(checkAmount('12,345')).toMatchObject({ ok: false, message: expect.stringContaining('centimes') });
    expect(checkAmount('1,2,3')).toMatchObject({ ok: false, message: expect.stringContaining('plusieurs virgules') });
    expect(problem(checkAmount('-5'))).toBe('wrong');
    expect(problem(checkAmount('12a'))).toBe('wrong');
    expect(problem(checkAmount('999999999'))).toBe('wrong');
    expect(problem(checkAmount(''))).toBe('empty');
  });
});

describe('field checks: by field name', () => {
  it('picks the check from the field’s name, and shows the stored value as it is typed', () => {
    expect(fieldKind('birthDate')).toBe('date');
    expect(fieldKind('netPay')).toBe('amount');
    expect(fieldKind('givenNames')).toBe('text');
    expect(checkField('expiryDate', '31/12/2031')).toEqual({ ok: true, value: '2031-12-31' });
    expect(checkField('iban', 'FR76 3000 6000 0112 3456 7890 180')).toMatchObject({ ok: false, problem: 'wrong' });
    expect(checkField('givenNames', '  Camille,   Marie ')).toEqual({ ok: true, value: 'Camille, Marie' });
    expect(problem(checkField('givenNames', 'x'.repeat(301)))).toBe('wrong');
    expect(fieldForPerson('birthDate', '1987-03-05')).toBe('05/03/1987');
    expect(fieldForPerson('iban', 'FR7630006000011234567890189')).toBe('FR76 3000 6000 0112 3456 7890 189');
    expect(fieldForPerson('referenceIncome', '21500.00')).toBe('21500,00');
  });
});
