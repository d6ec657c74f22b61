/** The institutions' answers to papers the person sent from the vault, shown on the home screen as news. */
import type { InstitutionReply } from '../../../contract/schema.ts';
import { dateTimeFr } from '../format.ts';
import { useTexts } from '../voice.tsx';

export function Replies({ replies }: { replies: InstitutionReply[] }) {
  const t = useTexts();
  if (replies.length === 0) return null;
  return (
    <div class="panel notices replies" role="status">
      <h2>{replies.length === 1 ? t.replies.title : t.replies.titleMany(replies.length)}</h2>
      <ul class="plain">
        {replies.map((r) => (
          <li key={r.id}>
            <p class="lead">{t.replies.about(r.institutionName, r.paperTitle, r.otherPapers ?? 0)}</p>
            <p class="doc-meta">{t.replies.by(r.authorName, dateTimeFr(r.at))}</p>
            <blockquote>
              <span class="muted">{t.replies.words}</span> « {r.body} »
            </blockquote>
          </li>
        ))}
      </ul>
    </div>
  );
}
