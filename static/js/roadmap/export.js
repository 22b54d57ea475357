// "Download all roadmaps (ZIP)": when the export the page is waiting for becomes ready, the
// file downloads by itself. The status fragment (templates/roadmaps/export_status.html) is
// marked data-auto-download only when htmx swapped it in while the person waited, so opening
// the page on a ZIP built earlier only offers the link.
document.addEventListener("htmx:load", (event) => {
  const status = event.target;
  if (!(status instanceof Element) || !status.matches("[data-export-status='ready'][data-auto-download]")) {
    return;
  }
  const link = status.querySelector("a[data-export-download]");
  if (link) link.click();
});
