// Browser self-test of a stapgen flame graph (tests/flame/browser.sh): run
// after the graph's own script; the verdict goes to the root element's
// data-selftest attribute, read back from chromium --dump-dom.
(function () {
  'use strict';
  var svg = document.documentElement, errs = [], W = +svg.getAttribute('width');
  function check(ok, what) { if (!ok) errs.push(what); }
  function frame(name) {
    var gs = svg.querySelectorAll('g.f'), i, t;
    for (i = 0; i < gs.length; i++) {
      t = gs[i].querySelector('title').textContent;
      if (t.slice(0, t.lastIndexOf(' (')) === name) return gs[i];
    }
    return null;
  }
  function rect(g) { return g.querySelector('rect'); }
  function width(g) { return +rect(g).getAttribute('width'); }
  function shown(g) { return g.style.display !== 'none' && g.getBoundingClientRect().width > 0; }
  function click(el) { el.dispatchEvent(new MouseEvent('click', { bubbles: true })); }
  function matched() { return svg.querySelector('.match').textContent; }
  try {
    var all = frame('all'), main = frame('main'), ngx = frame('ngx_http_core_run_phases');
    var hostile = frame('x<&>"\'y]' + ']>'), sched = frame('schedule'), reset = svg.querySelector('.reset');
    var search = svg.querySelector('.search'), details = svg.querySelector('.details');
    check(all && main && ngx && hostile && sched, 'frames found by their names');
    // the hostile name is text: its <text> shows it, no element was made of it
    check(hostile.querySelector('text').textContent === 'x<&>"\'y]' + ']>', 'hostile name shown as text');
    check(svg.querySelectorAll('script').length === 2, 'no script element from frame names');
    var w0 = width(ngx);
    check(Math.abs(width(all) - (W - 20)) < 0.05, 'root spans the width');
    check(Math.abs(w0 - 0.6 * (W - 20)) < 0.05, 'a frame is 60% wide: ' + w0);
    check(reset.style.display === 'none', 'reset hidden before zooming');
    // tooltip details line
    rect(ngx).dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    check(details.textContent === 'ngx_http_core_run_phases (6 samples, 60.00%)', 'details line: ' + details.textContent);
    // zoom into ngx_http_core_run_phases: it and its children fill the width
    click(rect(ngx));
    check(Math.abs(width(ngx) - (W - 20)) < 0.05 && +rect(ngx).getAttribute('x') === 10, 'zoomed frame fills the width: ' + width(ngx));
    check(!shown(hostile), 'a frame outside the zoom is hidden');
    check(shown(main) && main.classList.contains('p'), 'an ancestor stays, faded');
    check(shown(frame('do_syscall_64')) && Math.abs(width(frame('do_syscall_64')) - (W - 20)) < 0.05, 'descendant rescaled');
    check(reset.style.display !== 'none', 'reset shown after zooming');
    check(ngx.querySelector('text').textContent === 'ngx_http_core_run_phases', 'label refitted');
    // search through the button (prompt answered)
    window.prompt = function () { return 'sched'; };
    click(search);
    check(rect(sched).getAttribute('fill') === 'rgb(230,0,230)', 'match highlighted');
    check(matched() === 'Matched: 90.00%', 'matched percentage: ' + matched());
    check(rect(main).getAttribute('fill') !== 'rgb(230,0,230)', 'non-match not highlighted');
    check(search.textContent === 'Clear search', 'search button clears');
    click(search);
    check(matched() === '' && rect(sched).getAttribute('fill') !== 'rgb(230,0,230)', 'search cleared');
    // a regular expression, and a pattern that is none (a substring)
    window.prompt = function () { return '^do_|entry'; };
    click(search);
    check(matched() === 'Matched: 90.00%', 'regex match: ' + matched());
    click(search);
    window.prompt = function () { return 'y]' + ']>'; };
    click(search);
    check(matched() === 'Matched: 10.00%' && rect(hostile).getAttribute('fill') === 'rgb(230,0,230)', 'hostile substring: ' + matched());
    click(search);
    window.prompt = function () { return '('; };
    click(search);
    check(matched() === 'Matched: 0.00%', 'invalid regex as substring: ' + matched());
    click(search);
    // reset
    click(reset);
    check(shown(hostile) && Math.abs(width(all) - (W - 20)) < 0.05, 'reset shows everything');
    check(width(ngx) === w0, 'reset restores widths: ' + width(ngx));
    check(reset.style.display === 'none', 'reset hidden again');
    // the keyboard: '/' searches, Escape resets zoom and search
    window.prompt = function () { return 'main'; };
    document.dispatchEvent(new KeyboardEvent('keydown', { key: '/', bubbles: true }));
    check(matched() === 'Matched: 70.00%', 'search by keyboard: ' + matched());
    click(rect(ngx));
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    check(matched() === '' && shown(hostile) && reset.style.display === 'none', 'Escape resets');
    // zoom by clicking a kernel frame, then the root resets
    click(rect(sched));
    click(rect(all));
    check(shown(hostile) && reset.style.display === 'none', 'root click resets');
  } catch (e) {
    errs.push('exception: ' + e);
  }
  svg.setAttribute('data-selftest', errs.length ? 'FAIL: ' + errs.join('; ') : 'PASS');
})();
