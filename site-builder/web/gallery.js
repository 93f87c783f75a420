// Album pages in the browser: ThumbHash placeholders painted while photos load, and the
// PhotoSwipe lightbox (keyboard, swipe, pinch-zoom) with caption, EXIF line, download button and
// `#photo-ID` deep links. Pages work without this script: every photo links to its largest size.
// Publishing (site_builder::assets) rewrites these bare imports to the modules' content-hashed paths.
import PhotoSwipeLightbox from 'photoswipe-lightbox';
import { thumbHashToDataURL } from 'thumbhash';

const bytes = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

// Decoding one ThumbHash costs about a tenth of a millisecond, so only images near the viewport
// that have not loaded yet get one; until then the average colour from the HTML shows.
function paintPlaceholders() {
  const paint = (img) => {
    if (img.complete && img.naturalWidth) return;
    try {
      img.style.backgroundImage = `url("${thumbHashToDataURL(bytes(img.dataset.thumbhash))}")`;
      img.style.backgroundSize = '100% 100%';
    } catch {
      return; // A malformed hash keeps the average colour.
    }
    img.addEventListener('load', () => { img.style.backgroundImage = ''; }, { once: true });
  };
  const images = document.querySelectorAll('img[data-thumbhash]');
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        paint(entry.target);
      }
    }
  }, { rootMargin: '50% 0px' });
  images.forEach((img) => observer.observe(img));
}

const ICONS = {
  download: 'M15 8h2v9.2l3.3-3.3 1.4 1.4-5.7 5.7-5.7-5.7 1.4-1.4 3.3 3.3zM9 23h14v2H9z',
  original: 'M9 9h6v2h-4v10h10v-4h2v6H9zm8 0h6v6h-2v-2.6l-5.3 5.3-1.4-1.4 5.3-5.3H17z',
};

function icon(name) {
  return { isCustomSVG: true, inner: `<path d="${ICONS[name]}" id="pswp__icn-${name}"/>`, outlineID: `pswp__icn-${name}` };
}

function setupLightbox(grid) {
  const lightbox = new PhotoSwipeLightbox({
    gallery: grid,
    children: 'a.photo',
    pswpModule: () => import('photoswipe'),
    bgOpacity: 1,
    preload: [1, 2],
  });
  // The grid's srcset lists every derivative; PhotoSwipe sets `sizes` to the slide's width, so
  // the browser fetches the smallest one that is sharp on this screen.
  lightbox.addFilter('domItemData', (data, element, link) => {
    const img = link.querySelector('img');
    if (img) data.srcset = img.getAttribute('srcset');
    return data;
  });
  lightbox.on('uiRegister', () => {
    const pswp = lightbox.pswp;
    const current = () => pswp.currSlide.data.element;
    for (const [name, order, attribute, title] of [
      ['download', 8, 'href', 'Download'],
      ['original', 9, 'original', 'Download the original'],
    ]) {
      pswp.ui.registerElement({
        name,
        title,
        order,
        isButton: true,
        tagName: 'a',
        html: icon(name),
        onInit: (el) => {
          pswp.on('change', () => {
            const link = current();
            const href = attribute === 'href' ? link.href : link.dataset.original;
            el.hidden = !href;
            if (!href) return;
            el.href = href;
            // The largest derivative is a JPEG named after the photo; the original keeps its name.
            el.download = attribute === 'href' ? `${link.dataset.name}.jpg` : '';
          });
        },
      });
    }
    pswp.ui.registerElement({
      name: 'caption',
      order: 10,
      isButton: false,
      appendTo: 'root',
      onInit: (el) => {
        el.setAttribute('aria-live', 'polite');
        pswp.on('change', () => {
          const link = current();
          const lines = [
            [link.closest('li')?.querySelector('.caption')?.textContent, 'pswp-caption-text'],
            [link.dataset.exif, 'pswp-exif'],
          ].filter(([text]) => text);
          el.replaceChildren(...lines.map(([text, className]) => Object.assign(document.createElement('p'), { textContent: text, className })));
          el.hidden = lines.length === 0;
        });
      },
    });
  });
  // The address names the open photo, so a reload or a shared link opens it again. Opening a
  // photo adds one history entry, so Back (a phone's back gesture) closes the lightbox instead
  // of leaving the album; moving between photos only replaces it.
  let pushed = false;
  let closingByCode = false;
  let fromAddress = false;
  lightbox.on('change', () => {
    const id = lightbox.pswp.currSlide.data.element?.closest('li')?.id;
    if (!id) return;
    if (!pushed && !fromAddress) {
      history.pushState({ shoeboxPhoto: true }, '', `#${id}`);
      pushed = true;
    } else {
      history.replaceState(history.state, '', `#${id}`);
    }
  });
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

  const openFromHash = () => {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!id.startsWith('photo-') || window.pswp) return;
    const link = document.getElementById(id)?.querySelector('a.photo');
    const index = [...grid.querySelectorAll('a.photo')].indexOf(link);
    if (index >= 0) {
      fromAddress = true;
      lightbox.loadAndOpen(index);
    }
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

limitToScope();
paintPlaceholders();
const grid = document.querySelector('.grid');
if (grid) setupLightbox(grid);
