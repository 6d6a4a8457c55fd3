// Print views: the "Print" button prints the page (the CSP allows no inline script).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-zy-print]")) {
    button.addEventListener("click", () => window.print());
  }
});
