"""The page at ``/``: a signed-in user's fetches (status, cost), prayers and recent crawl runs.

Signing in: open ``/#token=<token>`` once (a fragment never reaches the server or its logs); the
page keeps the token in the tab's sessionStorage and calls the API with it.
"""

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pacer_spiders</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}</style></head>
<body>
<h1>pacer_spiders</h1>
<p id="who">Not signed in: open this page as <code>/#token=YOUR_TOKEN</code>.</p>
<form id="signin"><input id="token" type="password" placeholder="API token" size="70">
<button type="submit">Sign in</button></form>
<h2>Fetch requests</h2>
<table id="fetches"><thead><tr><th>id</th><th>type</th><th>court</th><th>case / document</th>
<th>status</th><th>cost</th><th>message</th></tr></thead><tbody></tbody></table>
<h2>Prayers</h2>
<table id="prayers"><thead><tr><th>id</th><th>document</th><th>status</th><th>asked</th></tr></thead><tbody></tbody></table>
<h2>Recent crawl runs</h2>
<table id="runs"><thead><tr><th>id</th><th>spider</th><th>started</th><th>pages</th><th>cost</th><th>result</th></tr></thead>
<tbody></tbody></table>
<script>
const TYPES = {1: "docket", 2: "PDF", 3: "attachment page"};
function fill(id, rows) {
  const body = document.querySelector("#" + id + " tbody");
  body.textContent = "";
  for (const cells of rows) {
    const tr = document.createElement("tr");
    for (const value of cells) {
      const td = document.createElement("td");
      td.textContent = value === null || value === undefined ? "" : String(value);
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
}
async function api(path, token) {
  const answer = await fetch(path, {headers: {"Authorization": "Token " + token}});
  if (!answer.ok) throw new Error(answer.status);
  return answer.json();
}
async function load() {
  const token = sessionStorage.getItem("token");
  if (!token) return;
  try {
    const me = await api("/api/rest/v3/me/", token);
    document.getElementById("who").textContent = "Signed in as " + me.name;
    document.getElementById("signin").hidden = true;
    const fetches = await api("/api/rest/v3/recap-fetch/?page_size=100", token);
    fill("fetches", fetches.results.map(f => [f.id, TYPES[f.request_type], f.court,
      f.pacer_case_id || f.docket_number || f.pacer_doc_id, f.status + " " + f.status_name,
      f.cost === null ? "" : "$" + f.cost.toFixed(2), f.error_message]));
    const prayers = await api("/api/rest/v3/prayers/?page_size=100", token);
    fill("prayers", prayers.results.map(p => [p.id, p.recap_document, p.status_name, p.date_created]));
    fill("runs", me.crawl_runs.map(r => [r.id, r.spider, r.started_at, r.pages, "$" + r.cost.toFixed(2),
      r.finish_reason]));
  } catch (error) {
    document.getElementById("who").textContent = "Sign-in refused (" + error.message + ")";
    sessionStorage.removeItem("token");
  }
}
const hash = new URLSearchParams(location.hash.slice(1));
if (hash.get("token")) {
  sessionStorage.setItem("token", hash.get("token"));
  history.replaceState(null, "", location.pathname);
}
document.getElementById("signin").addEventListener("submit", event => {
  event.preventDefault();
  sessionStorage.setItem("token", document.getElementById("token").value);
  load();
});
load();
</script>
</body></html>
"""
