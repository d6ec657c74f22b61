/**
 * One pictogram per aid family, drawn here (no image files, no network). They are decoration: the name
 * and the summary beside them carry the meaning, so screen readers skip them (aria-hidden).
 */
import type { JSX } from 'preact';
import type { AidFamily } from '../../../contract/schema.ts';

const SHAPES: Record<AidFamily, JSX.Element> = {
  // a banknote
  money: (
    <>
      <rect x="4" y="12" width="40" height="24" rx="3" />
      <circle cx="24" cy="24" r="6" />
      <path d="M10 18v0M38 30v0" />
    </>
  ),
  // a work bag
  work: (
    <>
      <rect x="5" y="16" width="38" height="24" rx="3" />
      <path d="M17 16v-5h14v5M5 26h38M22 26v4h4v-4" />
    </>
  ),
  // a house
  housing: (
    <>
      <path d="M5 24 24 8l19 16" />
      <path d="M11 20v20h26V20" />
      <path d="M20 40V30h8v10" />
    </>
  ),
  // a person in a wheelchair
  disability: (
    <>
      <circle cx="21" cy="8" r="3.5" />
      <path d="M21 13v13h11l4 11" />
      <path d="M21 19h9" />
      <path d="M15 22a10 10 0 1 0 14 14" />
    </>
  ),
  // the cross of care
  health: <path d="M19 7h10v12h12v10H29v12H19V29H7V19h12z" />,
  // two adults and a child
  family: (
    <>
      <circle cx="13" cy="11" r="4" />
      <circle cx="35" cy="11" r="4" />
      <circle cx="24" cy="23" r="3" />
      <path d="M7 40V24a6 6 0 0 1 12 0M29 24a6 6 0 0 1 12 0v16M19 40v-6a5 5 0 0 1 10 0v6" />
    </>
  ),
  // a graduation cap
  school: (
    <>
      <path d="M4 18 24 9l20 9-20 9z" />
      <path d="M12 22v9c0 4 24 4 24 0v-9M44 18v12" />
    </>
  ),
  // a lightning bolt
  energy: <path d="M28 4 12 27h11l-3 17 16-24H25z" />,
};

export function Pictogram({ family }: { family: AidFamily }) {
  return (
    <svg class={`pictogram pictogram-${family}`} viewBox="0 0 48 48" width="56" height="56" aria-hidden="true" focusable="false">
      <g fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round" stroke-linejoin="round">
        {SHAPES[family]}
      </g>
    </svg>
  );
}
