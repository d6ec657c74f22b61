/** The two messages a screen may show after an action: what went well (status), what went wrong (alert). */
export function Messages({ ok, warning }: { ok: string | null; warning: string | null }) {
  return (
    <>
      {ok && (
        <p class="message ok" role="status">
          {ok}
        </p>
      )}
      {warning && (
        <p class="message warning" role="alert">
          {warning}
        </p>
      )}
    </>
  );
}
