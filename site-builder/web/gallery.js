// Album pages in the browser: ThumbHash placeholders painted while photos load, a big album's
// grid loaded in parts as the visitor scrolls with only the rows near the screen kept in the page,
// and the PhotoSwipe lightbox over the whole album (keyboard, swipe, pinch-zoom) with caption, EXIF
// line, download button and `#photo-ID` deep links. Pages work without this script: every photo in
// the page links to its largest size.
// Publishing (site_builder::assets) rewrites these bare imports to the modules' content-hashed paths.
import PhotoSwipeLightbox from 'photoswipe-lightbox';
import { thumbHashToDataURL } from 'thumbhash';

const bytes = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

// Decoding one ThumbHash costs about a tenth of a millisecond, so only images near the viewport
// that have not loaded yet get one; until then the average colour from the HTML shows.
const placeholders = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (!entry.isIntersecting) continue;
    const img = entry.target;
    placeholders.unobserve(img);
    if (img.complete && img.naturalWidth) continue;
    try {
      img.style.backgroundImage = `url("${thumbHashToDataURL(bytes(img.dataset.thumbhash))}")`;
      img.style.backgroundSize = '100% 100%';
    } catch {
      continue; // A malformed hash keeps the average colour.
    }
    img.addEventListener('load', () => { img.style.backgroundImage = ''; }, { once: true });
  }
}, { rootMargin: '50% 0px' });

// An album's photos, by their place in the album. The page holds the first ones; a big album
// lists the parts with the rest (`data-parts`: HASH:COUNT …, under `data-parts-at`), fetched when
// the grid or the lightbox reaches them. Parts are named by their content, so a part that is gone
// means the album changed since the page was loaded.
class Album {
  constructor(grid) {
    const items = [...grid.querySelectorAll(':scope > li[aria-posinset]')];
    this.total = Number(grid.dataset.total) || items.length;
    this.photos = new Array(this.total);
    this.where = new Map(); // photo id → index
    items.forEach((li, i) => this.add(i, fromItem(li)));
    this.parts = [];
    let start = items.length;
    for (const entry of (grid.dataset.parts ?? '').split(' ').filter(Boolean)) {
      const [hash, count] = entry.split(':');
      this.parts.push({ url: `${grid.dataset.partsAt}${hash}.json`, start, count: Number(count), loading: null });
      start += Number(count);
    }
    this.total = Math.min(this.total, start);
    this.changed = () => {};
  }

  add(index, photo) {
    this.photos[index] = photo;
    this.where.set(photo.id, index);
  }

  partOf(index) {
    return this.parts.find((p) => index >= p.start && index < p.start + p.count);
  }

  // Fetches a part once (again after a failure); resolves when its photos are known.
  load(part) {
    part.loading ??= fetch(part.url, { credentials: 'same-origin' })
      .then((res) => {
        if (!res.ok) throw new Error(`${res.status} ${part.url}`);
        return res.json();
      })
      .then(({ photos }) => photos.forEach((p, i) => this.add(part.start + i, fromPart(p))))
      .catch((error) => {
        part.loading = null;
        this.changed(error);
        throw error;
      });
    return part.loading;
  }

  async ensure(index) {
    if (this.photos[index]) return this.photos[index];
    const part = this.partOf(index);
    if (part) await this.load(part);
    return this.photos[index];
  }

  // The index of a photo id: the photos known so far; else, when the address said where the
  // photo was (`near`, its index then), the parts around that place; else the parts in order, a
  // few at once. Photos added or removed since only move it a little.
  async find(id, near) {
    const at = this.parts.findIndex((p) => near >= p.start && near < p.start + p.count);
    if (at >= 0 && !this.where.has(id)) {
      await Promise.all(this.parts.slice(Math.max(0, at - 1), at + 2).map((p) => this.load(p).catch(() => {})));
    }
    const pending = this.parts.filter((p) => !this.photos[p.start]);
    for (let i = 0; !this.where.has(id) && i < pending.length; i += 6) {
      await Promise.all(pending.slice(i, i + 6).map((p) => this.load(p).catch(() => {})));
    }
    return this.where.get(id) ?? -1;
  }
}

// A photo as the script keeps it, from a grid item the page rendered …
function fromItem(li) {
  const a = li.querySelector('a.photo');
  const img = li.querySelector('img');
  return {
    id: li.id.slice('photo-'.length),
    name: a.dataset.name,
    caption: li.querySelector('.caption')?.textContent,
    exif: a.dataset.exif,
    original: a.dataset.original,
    full: [a.getAttribute('href'), Number(a.dataset.pswpWidth), Number(a.dataset.pswpHeight)],
    srcset: img.getAttribute('srcset'),
    video: a.dataset.video
      ? [a.dataset.video, Number(a.dataset.videoWidth), Number(a.dataset.videoHeight), a.dataset.duration, 'live' in a.dataset]
      : undefined,
    item: li,
  };
}

// … or from a part (site_builder::render::PartPhoto).
function fromPart(p) {
  return { id: p.id, name: p.n, caption: p.c, exif: p.x, original: p.o, full: p.f, srcset: p.ss, video: p.v, part: p, item: null };
}

// The grid item the template renders, made for a photo from a part.
function makeItem(photo, index, total) {
  const p = photo.part;
  const li = document.createElement('li');
  li.id = `photo-${p.id}`;
  li.setAttribute('aria-posinset', index + 1);
  li.setAttribute('aria-setsize', total);
  li.style.flexGrow = ((p.w / p.h) * 100).toFixed(3);
  li.style.flexBasis = `${p.b}px`;
  const a = Object.assign(document.createElement('a'), { className: 'photo', href: p.f[0] });
  Object.assign(a.dataset, { pswpWidth: p.f[1], pswpHeight: p.f[2], name: p.n });
  if (p.x) a.dataset.exif = p.x;
  if (p.o) a.dataset.original = p.o;
  if (p.v) {
    Object.assign(a.dataset, { video: p.v[0], videoWidth: p.v[1], videoHeight: p.v[2], duration: p.v[3] });
    if (p.v[4]) a.dataset.live = '';
  }
  const spacer = document.createElement('i');
  spacer.style.paddingBottom = `${((p.h / p.w) * 100).toFixed(4)}%`;
  const img = Object.assign(document.createElement('img'), {
    src: p.s, srcset: p.ss, sizes: `(max-width: 40rem) 34vw, ${p.b}px`, width: p.w, height: p.h,
    alt: p.a ?? p.c ?? p.n, loading: 'lazy', decoding: 'async',
  });
  img.dataset.thumbhash = p.t;
  img.style.background = p.bg;
  a.append(spacer, img);
  if (p.v) {
    const mark = Object.assign(document.createElement('span'), { className: p.v[4] ? 'mark live' : 'mark', textContent: p.v[4] ? 'LIVE' : p.v[3] });
    mark.setAttribute('aria-hidden', 'true');
    a.append(mark);
  }
  li.append(a);
  if (p.c) li.append(Object.assign(document.createElement('p'), { className: 'caption', textContent: p.c }));
  placeholders.observe(img);
  photo.item = li;
  return li;
}

// The grid keeps only the rows near the screen in the page: rows far above or below are taken out
// whole and a spacer of exactly their height stands in (measured, so nothing on screen moves), and
// photos after the last shown come in from the parts as the visitor nears them. Until then the
// bottom spacer also stands in for them at an estimated height, so the scroll bar shows the whole
// album and what follows the grid does not move as parts arrive. So the page's size does not grow
// with the album, and focus moving past the first or last item shown brings in more.
class Window {
  constructor(grid, album) {
    this.grid = grid;
    this.album = album;
    this.more = grid.parentElement.querySelector('.more');
    this.top = this.spacer();
    this.bottom = this.spacer();
    grid.prepend(this.top);
    grid.append(this.bottom);
    // New items go before the filler, which keeps the last row from stretching.
    this.end = grid.querySelector(':scope > .filler') ?? this.bottom;
    this.above = []; // groups of rows taken out above: { items }
    this.below = []; // … and below: { items, height }
    this.belowHeight = 0;
    this.next = this.live().length; // the first photo never shown yet
    this.busy = false;
    this.pending = 0;
    const schedule = () => this.schedule();
    addEventListener('scroll', schedule, { passive: true });
    addEventListener('resize', schedule);
    grid.addEventListener('focusin', (e) => {
      // Tabbing backwards from the first item shown reaches the photos before it.
      if (this.above.length && e.target.closest('li') === this.live()[0]) this.restoreAbove();
    });
    this.setBottom();
    this.schedule();
  }

  spacer() {
    const li = Object.assign(document.createElement('li'), { className: 'spacer', hidden: true });
    li.setAttribute('aria-hidden', 'true');
    li.style.height = '0px';
    return li;
  }

  live() {
    return [...this.grid.querySelectorAll(':scope > li[aria-posinset]')];
  }

  schedule() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      this.step().catch(() => {});
    });
  }

  // The bottom spacer: the rows taken out below, and the photos not shown yet at the height the
  // shown ones take on average. It never shrinks under the visitor's eyes (the page's end would
  // pull what they look at up): only by what lies below the screen, the rest on a later step.
  setBottom() {
    const items = this.live();
    const left = this.album.total - this.next;
    let estimate = 0;
    if (left && items.length > 1) {
      const span = items.at(-1).getBoundingClientRect().bottom - items[0].getBoundingClientRect().top;
      estimate = (span / items.length) * left;
    }
    let height = this.belowHeight + estimate;
    const current = this.bottom.hidden ? 0 : parseFloat(this.bottom.style.height);
    if (height < current) {
      const unseen = Math.max(0, this.bottom.getBoundingClientRect().bottom - innerHeight);
      height = Math.max(height, current - unseen);
    }
    this.bottom.style.height = `${height}px`;
    this.bottom.hidden = height < 0.5;
  }

  restoreAbove() {
    const group = this.above.pop();
    const first = this.live()[0];
    const before = first.getBoundingClientRect().top;
    this.top.after(...group.items);
    this.adjustTop(first, before);
  }

  // Gives the top spacer whatever keeps `anchor` at `before` on the screen.
  adjustTop(anchor, before) {
    const height = this.top.hidden ? 0 : parseFloat(this.top.style.height);
    // Shown even at 0 px while measuring: a shown spacer is a row of its own, with a gap after it.
    this.top.hidden = false;
    let next = Math.max(0, height + before - anchor.getBoundingClientRect().top);
    if (next < 0.5) next = 0;
    this.top.style.height = `${next}px`;
    this.top.hidden = next === 0;
  }

  async step() {
    if (this.busy) return;
    this.busy = true;
    let more = false;
    try {
      const screen = innerHeight;
      // A jump (Home, End, the scroll bar) takes many rounds: they go on in the next frames.
      for (let round = 0; ; round++) {
        const items = this.live();
        if (!items.length) break;
        if (round === 40) {
          more = true;
          break;
        }
        if (this.trim(items, screen)) continue;
        const first = items[0].getBoundingClientRect();
        const last = items.at(-1).getBoundingClientRect();
        if (this.above.length && first.top > -screen) {
          this.restoreAbove();
        } else if (last.bottom < 3 * screen && this.below.length) {
          const group = this.below.pop();
          this.end.before(...group.items);
          this.belowHeight = Math.max(0, this.belowHeight - group.height);
          this.setBottom();
        } else if (last.bottom < 3 * screen && this.next < this.album.total) {
          // Two screens ahead: the last row grows to full width when photos follow it, and
          // should do so out of sight.
          await this.append();
        } else {
          this.setBottom(); // what it could not shrink before, now that it is out of sight
          break;
        }
      }
    } finally {
      this.busy = false;
      this.showRemaining();
      if (more) this.schedule();
    }
  }

  // The rest of the part the next photo is in.
  async append() {
    const photo = await this.album.ensure(this.next);
    if (!photo) throw new Error(`photo ${this.next} is in no part`);
    const part = this.album.partOf(this.next);
    const end = part ? part.start + part.count : this.next + 1;
    const made = [];
    for (; this.next < end && this.album.photos[this.next]; this.next++) {
      made.push(makeItem(this.album.photos[this.next], this.next, this.album.total));
    }
    this.end.before(...made);
    this.setBottom();
  }

  // Takes out whole rows more than three screens away; returns whether it took any.
  trim(items, screen) {
    const rows = [];
    for (const li of items) {
      const top = Math.round(li.getBoundingClientRect().top);
      if (rows.length && rows.at(-1).top === top) rows.at(-1).items.push(li);
      else rows.push({ top, items: [li] });
    }
    const focused = document.activeElement?.closest?.('li');
    const far = (row) => !row.items.includes(focused);
    // Above: rows whose bottom (the next row's top) is more than three screens up.
    let cut = 0;
    while (cut + 1 < rows.length && rows[cut + 1].top < -3 * screen && far(rows[cut])) cut++;
    if (cut > 0) {
      const out = rows.slice(0, cut).flatMap((r) => r.items);
      const anchor = rows[cut].items[0];
      const before = anchor.getBoundingClientRect().top;
      // The spacer grows first: a page that got shorter, even for a moment, would have its
      // scroll position pulled up at its end.
      const height = this.top.hidden ? 0 : parseFloat(this.top.style.height);
      this.top.style.height = `${height + before - out[0].getBoundingClientRect().top}px`;
      this.top.hidden = false;
      out.forEach((li) => li.remove());
      this.adjustTop(anchor, before);
      this.above.push({ items: out });
      return true;
    }
    // Below: rows that start more than five screens down.
    let keep = rows.length;
    while (keep > 1 && rows[keep - 1].top > 5 * screen && far(rows[keep - 1])) keep--;
    if (keep < rows.length) {
      const out = rows.slice(keep).flatMap((r) => r.items);
      const height = this.grid.getBoundingClientRect().height;
      out.forEach((li) => li.remove());
      const taken = height - this.grid.getBoundingClientRect().height;
      this.below.push({ items: out, height: taken });
      this.belowHeight += taken;
      this.setBottom();
      return true;
    }
    return false;
  }

  showRemaining() {
    if (!this.more) return;
    const left = this.album.total - this.next;
    this.more.hidden = left === 0;
    this.more.textContent = `And ${left} more, shown as you scroll.`;
  }
}

const ICONS = {
  download: 'M15 8h2v9.2l3.3-3.3 1.4 1.4-5.7 5.7-5.7-5.7 1.4-1.4 3.3 3.3zM9 23h14v2H9z',
  original: 'M9 9h6v2h-4v10h10v-4h2v6H9zm8 0h6v6h-2v-2.6l-5.3 5.3-1.4-1.4 5.3-5.3H17z',
};

function icon(name) {
  return { isCustomSVG: true, inner: `<path d="${ICONS[name]}" id="pswp__icn-${name}"/>`, outlineID: `pswp__icn-${name}` };
}

// Plays a Live Photo's motion muted over `host`, then shows the still again.
function playMotion(host, src, className) {
  if (host.querySelector(`video.${className}`)) return;
  const video = Object.assign(document.createElement('video'), { src, className, muted: true, playsInline: true, autoplay: true });
  video.setAttribute('aria-hidden', 'true');
  const stop = () => video.remove();
  video.addEventListener('ended', stop);
  video.addEventListener('error', stop);
  host.append(video);
  return stop;
}

// Live Photos move on hover (desktop) and while pressed (phones), like the Photos app.
function setupLiveTiles(grid) {
  const liveLink = (target) => target instanceof Element ? target.closest('a.photo[data-live]') : null;
  grid.addEventListener('mouseover', (e) => {
    const link = liveLink(e.target);
    if (link && !link.contains(e.relatedTarget)) playMotion(link, link.dataset.video, 'motion');
  });
  grid.addEventListener('mouseout', (e) => {
    const link = liveLink(e.target);
    if (link && !link.contains(e.relatedTarget)) link.querySelector('video.motion')?.remove();
  });
  let pressed = null;
  grid.addEventListener('touchstart', (e) => {
    const link = liveLink(e.target);
    if (!link) return;
    pressed = { link, timer: setTimeout(() => { pressed.stop = playMotion(link, link.dataset.video, 'motion'); }, 300) };
  }, { passive: true });
  grid.addEventListener('touchend', (e) => {
    if (!pressed) return;
    clearTimeout(pressed.timer);
    // A press that played the motion does not also open the lightbox.
    if (pressed.stop) { pressed.stop(); e.preventDefault(); }
    pressed = null;
  });
}

function setupLightbox(grid, album) {
  const lightbox = new PhotoSwipeLightbox({
    dataSource: { length: album.total },
    pswpModule: () => import('photoswipe'),
    bgOpacity: 1,
    preload: [1, 2],
  });
  // Slides come from the album, whether its grid item is in the page or not; a slide whose part
  // has not arrived shows a placeholder until it has. The grid's srcset lists every derivative;
  // PhotoSwipe sets `sizes` to the slide's width, so the browser fetches the smallest one that is
  // sharp on this screen.
  lightbox.addFilter('itemData', (_, index) => {
    const photo = album.photos[index];
    if (!photo) {
      album.ensure(index).then(() => lightbox.pswp?.refreshSlideContent(index), () => {});
      return { html: '<div class="pswp-loading">Loading…</div>', index };
    }
    const link = photo.item?.isConnected ? photo.item.querySelector('a.photo') : undefined;
    const thumb = link?.querySelector('img');
    if (photo.video && !photo.video[4]) {
      // A video plays in its slide, over its poster; PhotoSwipe still swipes around it.
      const box = Object.assign(document.createElement('div'), { className: 'pswp-video' });
      const video = Object.assign(document.createElement('video'), {
        src: photo.video[0], poster: photo.full[0], controls: true, playsInline: true, preload: 'metadata',
        width: photo.video[1], height: photo.video[2],
      });
      video.setAttribute('aria-label', photo.caption ?? photo.name);
      box.append(video);
      return { html: box.outerHTML, element: link, photo };
    }
    return {
      src: photo.full[0], width: photo.full[1], height: photo.full[2], srcset: photo.srcset,
      alt: photo.caption ?? photo.name, msrc: thumb?.currentSrc || undefined, element: link, photo,
    };
  });
  lightbox.on('uiRegister', () => {
    const pswp = lightbox.pswp;
    const current = () => pswp.currSlide.data.photo;
    for (const [name, order, title] of [
      ['download', 8, 'Download'],
      ['original', 9, 'Download the original'],
    ]) {
      pswp.ui.registerElement({
        name,
        title,
        order,
        isButton: true,
        tagName: 'a',
        html: icon(name),
        onInit: (el) => {
          const show = () => {
            const photo = current();
            const clip = photo?.video && !photo.video[4];
            const href = name === 'download' ? (clip ? photo.video[0] : photo?.full[0]) : photo?.original;
            el.hidden = !href;
            if (!href) return;
            el.href = href;
            // The largest derivative (or a video's web copy) is named after the photo; the
            // original keeps its name.
            el.download = name === 'download' ? `${photo.name}.${clip ? 'mp4' : 'jpg'}` : '';
          };
          pswp.on('change', show);
          pswp.on('contentActivate', show);
        },
      });
    }
    // A Live Photo's motion, played over the still from a button (keyboard and screen readers).
    pswp.ui.registerElement({
      name: 'live',
      title: 'Play the Live Photo',
      order: 7,
      isButton: true,
      html: 'LIVE',
      onInit: (el) => {
        const show = () => { el.hidden = !current()?.video?.[4]; };
        pswp.on('change', show);
        pswp.on('contentActivate', show);
      },
      onClick: () => {
        const photo = current();
        const holder = pswp.currSlide?.holderElement;
        const still = holder?.querySelector('img.pswp__img');
        if (!photo?.video?.[4] || !still) return;
        // Exactly over the still as it is shown now (zoomed or not).
        const [at, box] = [still.getBoundingClientRect(), holder.getBoundingClientRect()];
        playMotion(holder, photo.video[0], 'pswp-motion');
        Object.assign(holder.querySelector('video.pswp-motion').style, {
          left: `${at.left - box.left}px`, top: `${at.top - box.top}px`, width: `${at.width}px`, height: `${at.height}px`,
        });
      },
    });
    // Only the slide in view plays.
    pswp.on('change', () => {
      for (const video of pswp.element.querySelectorAll('video')) {
        if (!pswp.currSlide?.holderElement.contains(video)) video.pause();
      }
    });
    pswp.ui.registerElement({
      name: 'caption',
      order: 10,
      isButton: false,
      appendTo: 'root',
      onInit: (el) => {
        el.setAttribute('aria-live', 'polite');
        const show = () => {
          const photo = current();
          const lines = [[photo?.caption, 'pswp-caption-text'], [photo?.exif, 'pswp-exif']].filter(([text]) => text);
          el.replaceChildren(...lines.map(([text, className]) => Object.assign(document.createElement('p'), { textContent: text, className })));
          el.hidden = lines.length === 0;
        };
        pswp.on('change', show);
        pswp.on('contentActivate', show);
      },
    });
  });
  // The address names the open photo, so a reload or a shared link opens it again. Opening a
  // photo adds one history entry, so Back (a phone's back gesture) closes the lightbox instead
  // of leaving the album; moving between photos only replaces it.
  let pushed = false;
  let closingByCode = false;
  let fromAddress = false;
  // In a big album the address also says where the photo is (`#photo-ID@PLACE`, 1-based), so a
  // shared link fetches the part it is in instead of looking through them all.
  const name = () => {
    const id = lightbox.pswp.currSlide?.data.photo?.id;
    if (!id) return;
    const place = album.parts.length ? `@${lightbox.pswp.currIndex + 1}` : '';
    if (!pushed && !fromAddress) {
      history.pushState({ shoeboxPhoto: true }, '', `#photo-${id}${place}`);
      pushed = true;
    } else {
      history.replaceState(history.state, '', `#photo-${id}${place}`);
    }
  };
  lightbox.on('change', name);
  lightbox.on('contentActivate', name);
  lightbox.on('close', () => {
    fromAddress = false;
    if (pushed) {
      pushed = false;
      closingByCode = true;
      history.back();
    } else {
      history.replaceState(history.state, '', location.pathname + location.search);
    }
  });
  lightbox.init();

  grid.addEventListener('click', (e) => {
    const link = e.target.closest('a.photo');
    if (!link || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || window.pswp) return;
    e.preventDefault();
    const index = Number(link.closest('li').getAttribute('aria-posinset')) - 1;
    const point = e.clientX || e.clientY ? { x: e.clientX, y: e.clientY } : null;
    lightbox.loadAndOpen(index, undefined, point);
  });

  const openFromHash = async () => {
    const match = /^#photo-([0-9a-f]+)(?:@(\d+))?$/.exec(location.hash);
    if (!match || window.pswp) return;
    const index = await album.find(match[1], match[2] ? Number(match[2]) - 1 : -1);
    if (index < 0 || window.pswp) return;
    await album.ensure(index);
    fromAddress = true;
    lightbox.loadAndOpen(index);
  };
  window.addEventListener('popstate', () => {
    if (closingByCode) {
      closingByCode = false;
    } else if (window.pswp) {
      pushed = false; // Back while open: the entry is already gone.
      window.pswp.close();
    } else {
      openFromHash();
    }
  });
  openFromHash();
}

// A visitor who came through a share link (or a user limited to one album) may see one album and
// what is inside it: the edge says which in the readable `shoebox-scope` cookie. Links above it
// (breadcrumbs to parent folders, the index) would only lead to the sign-in page, so they become
// plain text, and a line says what this visitor can see. CloudFront enforces the limit either way.
function limitToScope() {
  const scope = document.cookie.split('; ').find((c) => c.startsWith('shoebox-scope='))?.slice('shoebox-scope='.length);
  if (!scope || !/^\/[A-Za-z0-9%._~\-/]*\/$/.test(scope) || !location.pathname.startsWith(scope)) return;
  for (const link of document.querySelectorAll('.crumbs a')) {
    if (link.getAttribute('href').startsWith(scope)) continue;
    link.replaceWith(Object.assign(document.createElement('span'), { textContent: link.textContent, className: 'outside' }));
  }
  const note = Object.assign(document.createElement('p'), {
    className: 'scope-note',
    textContent: 'This album was shared with you; the rest of the gallery is private.',
  });
  document.querySelector('main')?.prepend(note);
}

// A part that cannot be fetched (the album changed and the part is gone, or the network failed)
// is said once, with a way to load the album again.
function sayChanged(grid) {
  if (document.querySelector('.album-changed')) return;
  const note = Object.assign(document.createElement('p'), { className: 'album-changed', role: 'status' });
  const reload = Object.assign(document.createElement('a'), { href: location.pathname, textContent: 'Reload the album' });
  note.append('Some photos could not be loaded; the album may have changed. ', reload);
  grid.after(note);
}

limitToScope();
document.querySelectorAll('img[data-thumbhash]').forEach((img) => placeholders.observe(img));
const grid = document.querySelector('.grid');
if (grid) {
  const album = new Album(grid);
  album.changed = () => sayChanged(grid);
  if (album.parts.length) new Window(grid, album);
  setupLightbox(grid, album);
  setupLiveTiles(grid);
}
