// Service worker of the check-in scanner (served at /events/scanner-sw.js, scope /events/): the scanner page
// and its scripts open without network. Network first (staff see fresh pages and scripts when online), the
// cached copy when the network fails. API calls are never cached: the page queues scans itself (IndexedDB).
"use strict";
var CACHE = "kc-scanner-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function cacheable(request) {
  if (request.method !== "GET") { return false; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return false; }
  return /^\/events\/\d+\/scan$/.test(url.pathname) || url.pathname.indexOf("/static/") === 0;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (!cacheable(request)) { return; }
  var navigation = request.mode === "navigate";
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }, function (error) {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(request, {ignoreSearch: navigation}).then(function (hit) {
        if (hit) { return hit; }
        throw error;
      });
    });
  }));
});
