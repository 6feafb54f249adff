/* The kit's presenter (gradlesson.kit.presenter writes the page). reveal.js drives the slides: one per narrated
 * step, a vertical stack per beat, linear navigation. This file plays each step's clip and holds its last frame,
 * draws the captions (window.KIT_CAPTIONS, from assets/captions.js) in #kit-caption, and adds the keys a lecturer
 * needs. Every text it shows goes in through textContent, never as markup.
 *
 *   → Space PageDown ↓ N   play the current step if it has not played yet, else go to the next step and play it
 *   ← PageUp ↑             the previous step, shown at its END frame (not playing)
 *   R replay   Home / End first / last step   <number> Enter step <number> of the lesson
 *   F fullscreen   B black   O overview   C captions   S speaker view   P play through (Esc or P leaves)
 *
 * A step reached by a jump (Home, End, a number, the overview, the address) shows its first frame, the poster,
 * and → plays it. In reveal's speaker view previews (?receiver) nothing plays: they show the posters. The play
 * through has its own keys (Space K pause, ← → a chapter, C F B, Esc P leave); the slides' keys do nothing there.
 *
 * In the speaker view (on a laptop the keyboard is there) the keys above act on the main window as if pressed in it:
 * the speaker view forwards each key to its current-slide preview, which sends ours on to the main window; a key
 * with Ctrl, Alt or Cmd it keeps (the browser's: Ctrl+C copies the notes; patched notes.js, see VENDORED.md). O and
 * Esc open and close the preview's own overview (the arrows and Enter work it) and B blacks the preview: the main
 * window follows both through reveal's sync, so Esc there does not leave the play through (P does). There F does
 * nothing and P does not go fullscreen: a browser gives fullscreen only to a key pressed in the window itself.
 */
(function () {
  'use strict';

  var receiver = /(^|[?&])receiver(&|=|$)/.test(location.search.slice(1));
  var CAPTIONS = window.KIT_CAPTIONS || { steps: {}, lesson: [], chapters: [] };
  var body = document.body;
  var caption = document.getElementById('kit-caption');
  var where = document.getElementById('kit-where');
  var through = document.getElementById('kit-through');
  var lessonVideo = through.querySelector('video');
  var slides = Array.prototype.slice.call(document.querySelectorAll('.reveal section[data-step]'));
  var intent = 'hold';          // how the next slidechanged arrives: 'play', 'back', 'hold' or {seek: seconds}
  var digits = '';              // a step number being typed
  var digitsTimer = null;
  var throughFullscreen = false;
  var wasPlaying = false;       // the clip ran when the screen went black

  function clipOf(slide) { return slide ? slide.querySelector('video.kit-clip') : null; }
  function currentSlide() { return Reveal.getCurrentSlide(); }
  function shownVideo() { return through.hidden ? clipOf(currentSlide()) : lessonVideo; }

  // ---- captions: a hidden text track per video, the active cue drawn in #kit-caption
  function drawCue(track) {
    var lines = [];
    var active = track.activeCues;
    for (var i = 0; active && i < active.length; i++) lines.push(active[i].text);
    caption.textContent = lines.join('\n');
    caption.classList.toggle('kit-empty', lines.length === 0);
  }
  function addCues(video, cues) {
    var track = video.addTextTrack('captions', 'Captions', document.documentElement.lang || 'en');
    track.mode = 'hidden';
    (cues || []).forEach(function (cue) { track.addCue(new VTTCue(cue[0], cue[1], cue[2])); });
    track.addEventListener('cuechange', function () { if (video === shownVideo()) drawCue(track); });
    video.kitTrack = track;
  }
  function clearCaption() { caption.textContent = ''; caption.classList.add('kit-empty'); }
  function toggleCaptions() {
    var off = body.classList.toggle('kit-captions-off');
    try { localStorage.setItem('kit-captions-off', off ? '1' : ''); } catch (e) { /* a file page may have no storage */ }
  }

  // ---- a clip's three states: playing, holding its first frame (the poster), holding its last frame
  function whenReady(video, action) {
    if (video.readyState >= 1) action();
    else video.addEventListener('loadedmetadata', action, { once: true });
  }
  function play(video) {
    video.currentTime = 0;
    video.muted = false;  // with its voice, each time: a key pressed since may now let it speak
    var started = video.play();
    if (started) started.catch(function () {
      // a browser that allows no sound before a click: play muted rather than not at all
      video.muted = true;
      video.play().catch(function () {});
    });
  }
  function holdEnd(video) {
    video.pause();
    whenReady(video, function () { video.currentTime = video.duration; });
  }
  function holdAt(video, seconds) {
    video.pause();
    whenReady(video, function () { video.currentTime = Math.min(seconds, video.duration); });
  }
  function holdStart(video) {
    video.pause();
    if (video.currentTime > 0 || video.ended) video.load();  // back to the poster, the step's first frame
  }
  function fresh(video) { return video.paused && video.currentTime === 0 && !video.ended; }

  // ---- where we are
  function stepOf(slide) { return slide ? parseInt(slide.dataset.step, 10) : 0; }
  function showWhere(slide) {
    if (!slide) return;
    var text = slide.dataset.beatTitle + ' · ' + slide.dataset.beatStep + '/' + slide.dataset.beatSteps +
      '   ' + slide.dataset.step + '/' + slides.length;
    where.textContent = digits ? 'go to step ' + digits + '…' : text;
  }

  function arrive(slide, how) {
    slides.forEach(function (other) { if (other !== slide) clipOf(other).pause(); });
    clearCaption();
    var video = clipOf(slide);
    var index = slides.indexOf(slide);
    // the neighbours load now, so the next clip starts at once and the previous one can show its end
    [index - 1, index + 1].forEach(function (i) { if (slides[i]) clipOf(slides[i]).preload = 'auto'; });
    showWhere(slide);
    if (!video) return;
    if (receiver || Reveal.isOverview()) holdStart(video);
    else if (how === 'play') play(video);
    else if (how === 'back') holdEnd(video);
    else if (how && typeof how.seek === 'number') holdAt(video, how.seek);
    else holdStart(video);
  }

  // ---- the keys
  function forward() {
    var video = clipOf(currentSlide());
    if (video && fresh(video)) { play(video); return; }
    if (Reveal.isLastSlide()) return;  // the lesson's last frame stays
    intent = 'play';
    Reveal.next();
  }
  function back() {
    if (Reveal.isFirstSlide()) { holdStart(clipOf(currentSlide())); clearCaption(); return; }
    intent = 'back';
    Reveal.prev();
  }
  function replay() { var video = clipOf(currentSlide()); if (video) play(video); }
  function goStep(number) {
    var slide = slides[Math.max(1, Math.min(slides.length, number)) - 1];
    var at = Reveal.getIndices(slide);
    if (Reveal.isOverview()) Reveal.toggleOverview(false);
    if (slide === currentSlide()) arrive(slide, intent);
    else Reveal.slide(at.h, at.v);
  }
  function typeDigit(digit) {
    digits = (digits + digit).slice(-4);
    clearTimeout(digitsTimer);
    digitsTimer = setTimeout(function () { digits = ''; showWhere(currentSlide()); }, 4000);
    showWhere(currentSlide());
  }
  function enter() {
    if (digits) {
      var number = parseInt(digits, 10);
      digits = '';
      clearTimeout(digitsTimer);
      intent = 'hold';
      goStep(number);
      showWhere(currentSlide());
    }
    else if (Reveal.isOverview()) Reveal.toggleOverview(false);
  }
  function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen().catch(function () {});
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(function () {});
  }
  // in the overview the arrows move between beats (← →) and steps (↑ ↓), as reveal has them
  function key(action, overview) {
    var handler = function () {
      if (!Reveal.isOverview()) action();
      else if (overview) Reveal[overview]();
      else Reveal.toggleOverview(false);
    };
    handler.inOverview = true;
    return handler;
  }

  // ---- play through: lesson.mp4 over the slides, with its captions and chapters
  function chapterAt(t) {
    var chapters = CAPTIONS.chapters || [], found = -1;
    for (var i = 0; i < chapters.length; i++) if (chapters[i][0] <= t + 0.05) found = i;
    return found;
  }
  function showChapter() {
    var i = chapterAt(lessonVideo.currentTime);
    var chapter = CAPTIONS.chapters[i];
    where.textContent = (chapter ? (i + 1) + '/' + CAPTIONS.chapters.length + ' · ' + chapter[2] + '   ' : '') + 'play through (Esc)';
  }
  function seekChapter(delta) {
    var chapters = CAPTIONS.chapters || [];
    var i = chapterAt(lessonVideo.currentTime);
    if (delta < 0 && i >= 0 && lessonVideo.currentTime - chapters[i][0] > 2) delta = 0;  // ← first goes to this chapter's start
    var target = chapters[Math.max(0, Math.min(chapters.length - 1, i + delta))];
    if (target) lessonVideo.currentTime = target[0];
  }
  function enterThrough() {
    var slide = currentSlide();
    clipOf(slide).pause();
    through.hidden = false;
    body.classList.add('kit-through-on');
    clearCaption();
    lessonVideo.preload = 'auto';
    var video = clipOf(slide);
    var start = parseFloat(slide.dataset.start) || 0;
    if (!fresh(video)) start += Math.min(video.currentTime, parseFloat(slide.dataset.end) - start);
    whenReady(lessonVideo, function () { lessonVideo.currentTime = start; });
    var started = lessonVideo.play();
    if (started) started.catch(function () {});
    showChapter();
    if (!document.fullscreenElement && document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().then(function () { throughFullscreen = true; }).catch(function () {});
    }
  }
  function leaveThrough() {
    var t = lessonVideo.currentTime;
    lessonVideo.pause();
    through.hidden = true;
    body.classList.remove('kit-through-on');
    if (throughFullscreen && document.fullscreenElement) document.exitFullscreen().catch(function () {});
    throughFullscreen = false;
    // back on the slide of the step the lesson was at, held at the same moment
    var slide = slides[0];
    slides.forEach(function (s) { if (parseFloat(s.dataset.start) <= t + 1e-3) slide = s; });
    intent = { seek: Math.max(0, t - parseFloat(slide.dataset.start)) };
    goStep(stepOf(slide));
  }
  // a key while it plays, by keyCode as reveal has them: true if it was one of the play through's
  function throughKey(code) {
    if (code === 27 || code === 80) leaveThrough();  // Esc, P
    else if (code === 32 || code === 75) { if (lessonVideo.paused) lessonVideo.play(); else lessonVideo.pause(); }  // Space, K
    else if (code === 39 || code === 34) seekChapter(1);  // → PageDown
    else if (code === 37 || code === 33) seekChapter(-1);  // ← PageUp
    else if (code === 67) toggleCaptions();
    else if (code === 70) toggleFullscreen();
    else if (code === 66 || code === 190) body.classList.toggle('kit-black');  // B .
    else return false;
    return true;
  }
  // while it plays only its own keys act, unmodified (Ctrl+C copies, Ctrl+P prints); any other key goes on to the
  // video's controls (↑ ↓ its volume when it has the focus) and the browser, but not to reveal's nor our slide keys
  // (revealOn): R, Home, a number and Enter played or moved the slides hidden under it, a clip's voice over the lesson
  function throughKeys(event) {
    if (through.hidden || event.ctrlKey || event.altKey || event.metaKey || !throughKey(event.keyCode)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
  }
  function revealOn(event) { return through.hidden || event.keyCode === 83; }  // S still opens the speaker view

  // ---- the speaker view: reveal's notes plugin writes it into an about:blank window and never closes the document,
  // which then stays 'loading' (a spinning tab, no load event, and webdriver waiting on it); close it once written
  var openWindow = window.open;
  window.open = function () {
    var opened = openWindow.apply(window, arguments);
    if (opened) setTimeout(function () { try { opened.document.close(); } catch (e) { /* not ours to close */ } }, 0);
    return opened;
  };
  // the keys pressed in it: it forwards each to its current-slide preview (a frame of it, of another origin on a
  // file:// page), which sends ours here to act as if pressed in this window. Only the speaker view (the one window
  // this page opens, still its opener once this page reloads) and its frames are heard (a top window is its own
  // parent); any other window's message is ignored.
  function toMain(code, own) {
    return function () {
      if (Reveal.isOverview() && (own.inOverview || own === enter)) own();  // the preview's own overview (O): it moves there
      else if (window.parent !== window && window.parent.opener) {
        window.parent.opener.postMessage(JSON.stringify({ namespace: 'gradlesson-kit', type: 'key', keyCode: code }), '*');
      }
    };
  }
  function fromSpeaker(event) {
    var parent = event.source && event.source.parent;
    if (!parent || parent.opener !== window || typeof event.data !== 'string') return;
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (!data || data.namespace !== 'gradlesson-kit' || data.type !== 'key' || typeof data.keyCode !== 'number' ||
      !keyboard.hasOwnProperty(data.keyCode)) return;
    if (through.hidden) Reveal.triggerKey(data.keyCode);
    else throughKey(data.keyCode);  // the play through's keys; the others act on nothing (see throughKeys)
  }

  // ---- start
  try { if (localStorage.getItem('kit-captions-off')) body.classList.add('kit-captions-off'); } catch (e) { /* none */ }
  if (receiver) {
    body.classList.add('kit-receiver');
    slides.forEach(function (slide) { var video = clipOf(slide); video.muted = true; video.preload = 'metadata'; });
  }
  slides.forEach(function (slide) {
    var video = clipOf(slide);
    addCues(video, CAPTIONS.steps[slide.dataset.stem]);
    video.addEventListener('ended', function () { if (video === shownVideo()) clearCaption(); });
    // played again from its start (R): its cue drawn again. A step whose one cue covers the whole clip has it active
    // still at the end, where 'ended' cleared the caption: the replay changes no cue, and no cuechange draws it
    video.addEventListener('seeked', function () { if (video === shownVideo() && !video.paused) drawCue(video.kitTrack); });
  });
  addCues(lessonVideo, CAPTIONS.lesson);
  lessonVideo.addEventListener('timeupdate', function () { if (!through.hidden) showChapter(); });
  lessonVideo.addEventListener('ended', leaveThrough);
  window.addEventListener('keydown', throughKeys, true);
  document.addEventListener('fullscreenchange', function () {
    if (!document.fullscreenElement && throughFullscreen && !through.hidden) { throughFullscreen = false; leaveThrough(); }
  });

  var keyboard = {
    39: key(forward, 'right'), 76: key(forward, 'right'), 40: key(forward, 'down'), 74: key(forward, 'down'),
    34: key(forward, 'next'), 78: key(forward, 'next'), 32: key(forward, null),
    37: key(back, 'left'), 72: key(back, 'left'), 38: key(back, 'up'), 75: key(back, 'up'), 33: key(back, 'prev'),
    36: function () { intent = 'hold'; goStep(1); },
    35: function () { intent = 'hold'; goStep(slides.length); },
    13: enter, 82: replay, 67: toggleCaptions, 70: toggleFullscreen, 80: enterThrough,
  };
  for (var d = 0; d <= 9; d++) {
    keyboard[48 + d] = typeDigit.bind(null, String(d));
    keyboard[96 + d] = typeDigit.bind(null, String(d));
  }
  if (receiver) Object.keys(keyboard).forEach(function (code) { keyboard[code] = toMain(Number(code), keyboard[code]); });
  else window.addEventListener('message', fromSpeaker);

  Reveal.on('ready', function (event) { arrive(event.currentSlide, 'hold'); });
  Reveal.on('slidechanged', function (event) { var how = intent; intent = 'hold'; arrive(event.currentSlide, how); });
  Reveal.on('overviewshown', function () { var video = clipOf(currentSlide()); if (video) video.pause(); clearCaption(); });
  Reveal.on('paused', function () {
    var video = clipOf(currentSlide());
    wasPlaying = !!video && !video.paused;
    if (video) video.pause();
    body.classList.add('kit-black');
  });
  Reveal.on('resumed', function () {
    body.classList.remove('kit-black');
    var video = clipOf(currentSlide());
    if (video && wasPlaying) video.play().catch(function () {});
    wasPlaying = false;
  });

  Reveal.initialize({
    width: parseInt(body.dataset.width, 10) || 1920,
    height: parseInt(body.dataset.height, 10) || 1080,
    margin: 0, minScale: 0.05, maxScale: 20, center: false,
    controls: false, progress: false, slideNumber: false, help: true,
    hash: true, respondToHashChanges: true, history: false,
    navigationMode: 'linear', transition: 'none', backgroundTransition: 'none',
    autoPlayMedia: false, jumpToSlide: false, keyboard: keyboard, keyboardCondition: revealOn,
    plugins: receiver ? [] : [RevealNotes],
  });
  [['→ Space PageDown', 'Play the step, then the next'], ['← PageUp', 'Previous step, at its end'], ['R', 'Replay the step'],
    ['Home, End', 'First, last step'], ['Digits, Enter', 'Go to that step of the lesson'], ['C', 'Captions on/off'],
    ['P', 'Play the lesson through (Esc leaves)'], ['S', 'Speaker view']].forEach(function (pair) {
    Reveal.registerKeyboardShortcut(pair[0], pair[1]);
  });
}());
