// The matches page: a row's title answered "no" with one click, as a title answer of its own
// batch (the questions page's Backspace undoes only that page's answers: to change this one,
// answer the title again in the List).
"use strict";

for (const button of document.querySelectorAll("button[data-subject]")) {
  button.addEventListener("click", async () => {
    const status = document.getElementById("matches-status");
    button.disabled = true;
    try {
      const response = await fetch("/api/answer", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ subject: button.dataset.subject, answer: "no" }),
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(data.error || response.statusText);
      for (const b of document.querySelectorAll("button[data-subject]")) {
        if (b.dataset.subject === button.dataset.subject) {
          b.textContent = "answered no";
          b.disabled = true;
          b.closest("tr").classList.add("answered-no");
        }
      }
      status.className = "status ok";
      status.textContent = "Answered no: " + button.closest("tr").children[0].textContent + ".";
    } catch (e) {
      button.disabled = false;
      status.className = "status";
      status.textContent = e.message;
    }
  });
}
