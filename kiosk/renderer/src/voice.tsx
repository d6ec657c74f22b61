/**
 * Whose papers the screens speak of. Alone at the tablet, an agent acting on a person's procuration
 * reads « Les papiers de Camille », not « Mes papiers »: the session says who that person is, and each
 * screen takes its texts from `useTexts()`.
 */
import { createContext } from 'preact';
import { useContext, useMemo } from 'preact/hooks';
import { spokenForAbsent, t } from './texts.ts';
import type { Texts } from './texts.ts';

/** The first name of the person an agent acts for, alone at the tablet; null when the screens speak to the person herself. */
export const AbsentPerson = createContext<string | null>(null);

export function textsFor(person: string | null): Texts {
  if (person === null) return t;
  const over: Partial<Record<keyof Texts, object>> = spokenForAbsent(person);
  const merged: Record<string, unknown> = { ...t };
  for (const [section, texts] of Object.entries(over)) merged[section] = { ...(t[section as keyof Texts] as object), ...texts };
  return merged as Texts;
}

export function useTexts(): Texts {
  const person = useContext(AbsentPerson);
  return useMemo(() => textsFor(person), [person]);
}
