/**
 * A QR code made on the tablet (uqr: plain code, no network, no canvas), drawn as SVG, with the site's short
 * name beside it: the tablet opens no web page, a phone can. The address itself is not shown: nobody
 * should have to copy a long address by hand.
 */
import { encode } from 'uqr';
import { t } from '../texts.ts';

/** "https://www.service-public.fr/particuliers/…" → "service-public.fr" */
export function siteName(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return url;
  }
}

export function QrLink({ url }: { url: string }) {
  // M: a phone reads it even when the screen shines a little; 4 modules of quiet zone, as the standard asks
  const { data } = encode(url, { ecc: 'M', border: 4 });
  const size = data.length;
  let path = '';
  data.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    }),
  );
  const site = siteName(url);
  return (
    <div class="qr-link">
      <svg class="qr" viewBox={`0 0 ${size} ${size}`} width="176" height="176" role="img" aria-label={t.catalogue.qrLabel(site)} shape-rendering="crispEdges">
        <rect width={size} height={size} fill="#ffffff" />
        <path d={path} fill="#000000" />
      </svg>
      <p>
        {t.catalogue.qrHelp} <strong class="site">{site}</strong>
      </p>
    </div>
  );
}
