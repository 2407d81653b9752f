// Search and filters for the catalogue, from the index embedded in the page: no fetch, so the
// page works from file:// as well as over HTTP. Without JavaScript every book stays listed.
"use strict";
(function () {
  // Over HTTP, show the feed's full address: that is what an e-reader asks for.
  const feed = document.getElementById("opds");
  if (feed && location.protocol.startsWith("http")) feed.textContent = feed.href;
  const form = document.getElementById("find");
  const data = document.getElementById("search-index");
  if (!form || !data) return;
  const index = JSON.parse(data.textContent);
  const items = Array.from(document.querySelectorAll("#books > li"));
  const count = document.getElementById("count");
  const none = document.getElementById("none");
  const fold = (text) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

  function matches(book, words) {
    return (
      words.every((word) => book.text.includes(word)) &&
      (!form.language.value || book.language === form.language.value) &&
      (!form.author.value || book.authors.includes(form.author.value)) &&
      (!form.kind.value || book.kind === form.kind.value)
    );
  }

  function update() {
    const words = fold(form.q.value).split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const item of items) {
      const visible = matches(index[item.dataset.book], words);
      item.hidden = !visible;
      shown += visible ? 1 : 0;
    }
    count.textContent = shown === items.length ? "" : `${shown} of ${items.length} books`;
    none.hidden = shown > 0;
  }

  form.hidden = false;
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    update();
  });
  update();
})();
