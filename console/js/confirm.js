// The confirmation dialog (a modal <dialog>: focus stays in it, Escape closes it).

const $ = (id) => document.getElementById(id);

/**
 * Asks for confirmation; resolves to the reason typed (or "" without a reason field), or `null` when dismissed.
 * `reason: "required"` refuses to confirm until a reason is typed; `check` adds a box that must be ticked.
 */
export function confirmAction({ title, text, confirmLabel, reason = "none", reasonLabel = "Reason", check = null }) {
  const dialog = $("confirm-dialog");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = confirmLabel;
  $("confirm-reason-row").hidden = reason === "none";
  $("confirm-reason-label").textContent = reason === "required" ? `${reasonLabel} (required)` : reasonLabel;
  $("confirm-reason").value = "";
  $("confirm-reason").required = reason === "required";
  $("confirm-check").parentElement.hidden = !check;
  $("confirm-check").checked = false;
  $("confirm-check").required = Boolean(check);
  $("confirm-check-label").textContent = check ?? "";
  return new Promise((resolve) => {
    const form = $("confirm-form");
    const done = (value) => {
      form.removeEventListener("submit", onSubmit);
      $("confirm-cancel").removeEventListener("click", onCancel);
      dialog.removeEventListener("cancel", onCancel);
      dialog.close();
      resolve(value);
    };
    const onSubmit = (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      done($("confirm-reason").value.trim());
    };
    const onCancel = (event) => { event?.preventDefault(); done(null); };
    form.addEventListener("submit", onSubmit);
    $("confirm-cancel").addEventListener("click", onCancel);
    dialog.addEventListener("cancel", onCancel);
    dialog.showModal();
    (reason === "none" ? $("confirm-ok") : $("confirm-reason")).focus();
  });
}
