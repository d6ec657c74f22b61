/**
 * The two messages a screen may show after an action: what went wrong (alert) comes first, so that a
 * problem is never below an older good news; then what went well (status).
 */
export function Messages({ ok, warning }: { ok: string | null; warning: string | null }) {
  return (
    <>
      {warning && (
        <p class="message warning" role="alert">
          {warning}
        </p>
      )}
      {ok && (
        <p class="message ok" role="status">
          {ok}
        </p>
      )}
    </>
  );
}
