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
