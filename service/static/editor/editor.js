// wiretrace editor pages: a little vanilla JavaScript, no library, no build step.
// Every page works without it; it only adds the pop-up, the twin scrolling and
// the wait for a pasted article.
"use strict";

function showSourcePopover(highlight) {
  const card = document.getElementById(highlight.dataset.card);
  const popover = document.getElementById("popover");
  if (!card || !popover) return;
  document.querySelectorAll(".card.active, a.hl.active").forEach((el) => el.classList.remove("active"));
  card.classList.add("active");
  document.querySelectorAll(`a.hl[data-card="${card.id}"]`).forEach((el) => el.classList.add("active"));
  popover.replaceChildren(card.querySelector(".card-head").cloneNode(true));
  const box = highlight.getBoundingClientRect();
  popover.style.left = `${Math.max(8, window.scrollX + box.left)}px`;
  popover.style.top = `${window.scrollY + box.bottom + 6}px`;
  popover.hidden = false;
  card.scrollIntoView({ block: "nearest" });
}

function scrollToTwin(highlight) {
  const twin = document.getElementById(highlight.dataset.twin);
  if (!twin) return;
  const pair = highlight.dataset.pair;
  twin.scrollIntoView({ block: "center" });
  document.querySelectorAll(`a.hl[data-pair="${pair}"]`).forEach((el) => {
    el.classList.remove("flash");
    void el.offsetWidth; // restart the animation
    el.classList.add("flash");
  });
  history.replaceState(null, "", `#${twin.id}`);
}

function waitForJob(status) {
  const poll = async () => {
    try {
      const response = await fetch(status.dataset.jobUrl, { headers: { Accept: "application/json" } });
      const job = await response.json();
      if (job.status === "finished") {
        window.location.assign(status.dataset.articleUrl);
        return;
      }
      if (job.status === "failed") {
        status.textContent = "The ingest failed: " + (job.error || []).join(" ");
        return;
      }
    } catch (error) {
      status.dataset.retries = String(Number(status.dataset.retries || 0) + 1);
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
}

document.addEventListener("click", (event) => {
  const highlight = event.target.closest("a.hl");
  const popover = document.getElementById("popover");
  if (highlight && highlight.dataset.card) {
    event.preventDefault();
    showSourcePopover(highlight);
  } else if (highlight && highlight.dataset.twin) {
    event.preventDefault();
    scrollToTwin(highlight);
  } else if (popover && !popover.hidden && !popover.contains(event.target)) {
    popover.hidden = true;
  }
});

document.addEventListener("keydown", (event) => {
  const popover = document.getElementById("popover");
  if (event.key === "Escape" && popover) popover.hidden = true;
});

document.addEventListener("DOMContentLoaded", () => {
  const status = document.getElementById("job-status");
  if (status) waitForJob(status);
  const target = window.location.hash && document.getElementById(window.location.hash.slice(1));
  if (target && target.matches("a.hl")) target.classList.add("flash");
});
