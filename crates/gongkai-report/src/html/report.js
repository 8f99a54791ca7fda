(function () {
  'use strict';
  var selects = document.querySelectorAll('select[data-filter]');
  var query = document.getElementById('f-q');
  var rows = document.querySelectorAll('#findings tbody tr');
  var shown = document.getElementById('shown-count');
  function matches(row, key, want) {
    if (!want) { return true; }
    var have = row.getAttribute('data-' + key);
    if (key === 'status' && want === 'open') { return have === 'new' || have === 'persisting' || have === 'unverified'; }
    return have === want;
  }
  function apply() {
    var text = query ? query.value.trim().toLowerCase() : '';
    var count = 0;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var ok = true;
      for (var j = 0; j < selects.length && ok; j++) {
        ok = matches(row, selects[j].getAttribute('data-filter'), selects[j].value);
      }
      if (ok && text) { ok = row.textContent.toLowerCase().indexOf(text) !== -1; }
      row.hidden = !ok;
      if (ok) { count++; }
    }
    if (shown) { shown.textContent = String(count); }
  }
  for (var k = 0; k < selects.length; k++) { selects[k].addEventListener('change', apply); }
  if (query) { query.addEventListener('input', apply); }
  var reset = document.getElementById('f-reset');
  if (reset) {
    reset.addEventListener('click', function () {
      for (var m = 0; m < selects.length; m++) { selects[m].value = ''; }
      if (query) { query.value = ''; }
      apply();
    });
  }
  apply();
})();
