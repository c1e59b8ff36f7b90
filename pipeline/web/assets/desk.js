// desk.js - the little script the desk uses; every page works without it.
// Live refresh: an element with data-refresh="N" is fetched again every N
// seconds and replaced, unless the user is typing in a form field.
(function () {
	'use strict';
	var live = document.getElementById('live');
	if (live && window.fetch && window.DOMParser) {
		var every = parseInt(live.getAttribute('data-refresh'), 10) || 20;
		setInterval(function () {
			var a = document.activeElement;
			if (a && (a.tagName === 'INPUT' || a.tagName === 'TEXTAREA' || a.tagName === 'SELECT')) return;
			fetch(location.href, {credentials: 'same-origin'}).then(function (r) {
				return r.ok ? r.text() : null;
			}).then(function (html) {
				if (!html) return;
				var doc = new DOMParser().parseFromString(html, 'text/html');
				var fresh = doc.getElementById('live');
				var cur = document.getElementById('live');
				if (fresh && cur) cur.replaceWith(document.importNode(fresh, true));
			}).catch(function () {});
		}, every * 1000);
	}
})();

// Page viewer: a word and its box light up together; clicking a word picks
// it for the correction form.
(function () {
	'use strict';
	var ocr = document.getElementById('ocr');
	if (!ocr) return;
	function each(id, fn) {
		var els = document.querySelectorAll('[data-w="' + id + '"]');
		for (var i = 0; i < els.length; i++) fn(els[i]);
	}
	function on(e) {
		var id = e.target.getAttribute && e.target.getAttribute('data-w');
		if (id) each(id, function (el) { el.classList.add('on'); });
	}
	function off(e) {
		var id = e.target.getAttribute && e.target.getAttribute('data-w');
		if (id) each(id, function (el) { el.classList.remove('on'); });
	}
	function pick(e) {
		var id = e.target.getAttribute && e.target.getAttribute('data-w');
		if (!id) return;
		var wid = document.getElementById('cw-id'), wt = document.getElementById('cw-text');
		var word = document.querySelector('#ocr [data-w="' + id + '"]');
		if (wid && wt && word) {
			wid.value = id;
			wt.value = word.textContent;
			wt.focus();
			wt.select();
		}
	}
	[ocr, document.querySelector('svg.boxes')].forEach(function (el) {
		if (!el) return;
		el.addEventListener('mouseover', on);
		el.addEventListener('mouseout', off);
		el.addEventListener('click', pick);
	});
	var hit = document.getElementById('hit');
	if (hit) hit.scrollIntoView({block: 'center'});
})();

// Keyboard: on a page n/p (next/previous page), a (accept the review); in
// the review queue j/k move, Enter opens.  Not while typing.
(function () {
	'use strict';
	var rows = document.querySelectorAll('#queue tbody tr'), cur = -1;
	function mark(i) {
		if (!rows.length) return;
		if (cur >= 0) rows[cur].classList.remove('cur');
		cur = Math.max(0, Math.min(rows.length - 1, i));
		rows[cur].classList.add('cur');
		rows[cur].scrollIntoView({block: 'nearest'});
	}
	document.addEventListener('keydown', function (e) {
		var t = e.target.tagName;
		if (t === 'INPUT' || t === 'TEXTAREA' || t === 'SELECT' || e.ctrlKey || e.altKey || e.metaKey) return;
		var go = function (id) { var a = document.getElementById(id); if (a) location.href = a.href; };
		if (rows.length) {
			if (e.key === 'j') mark(cur + 1);
			else if (e.key === 'k') mark(cur - 1);
			else if (e.key === 'Enter' && cur >= 0) { var a = rows[cur].querySelector('a'); if (a) location.href = a.href; }
			return;
		}
		if (e.key === 'n') go('next');
		else if (e.key === 'p') go('prev');
		else if (e.key === 'a') { var b = document.getElementById('accept'); if (b) b.click(); }
	});
})();
