#!/usr/bin/python3
"""desk_day.py URL OUTDIR PASSWORD RESCAN - an operator's and a supervisor's day on
the desk in a real headless Chromium (python3-selenium, chromium-driver).
Prints one line per step; exits 1 at the first step that fails, 77 when
Chromium cannot start.  Screenshots (1366x768) go to OUTDIR/NN-name.png.
RESCAN is the image the operator uploads as the new scan of a page."""
import sys
import traceback

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

url, out, password, rescan = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
opts = Options()
for a in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--window-size=1366,768',
          '--lang=vi'):
    opts.add_argument(a)
try:
    d = webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=opts)
except WebDriverException as e:
    print('Chromium cannot start here: %s' % str(e).splitlines()[0])
    sys.exit(77)
d.implicitly_wait(5)
n = 0


def shot(name):
    global n
    n += 1
    d.save_screenshot('%s/%02d-%s.png' % (out, n, name))


def step(msg):
    print('ok:', msg, flush=True)


def check(cond, msg):
    if not cond:
        shot('failed')
        raise AssertionError(msg + ' (at ' + d.current_url + ')')


def css(sel):
    return d.find_element(By.CSS_SELECTOR, sel)


def go(el, keys=None):
    """Click el (or send it keys) and wait for the next page to load."""
    old = d.find_element(By.TAG_NAME, 'html')
    if keys is None:
        el.click()
    else:
        el.send_keys(keys)
    def gone(_):
        # chromedriver says "stale" in more than one way
        try:
            old.is_enabled()
            return False
        except WebDriverException:
            return True
    WebDriverWait(d, 15).until(gone)


def login(user):
    d.delete_all_cookies()
    d.get(url + '/login')
    css('input[name=user]').send_keys(user)
    css('input[name=password]').send_keys(password)
    go(css('button[type=submit]'))
    check('/login' not in d.current_url, 'login as ' + user)


try:
    # ---- the operator's day
    d.get(url + '/batches')
    check('/login' in d.current_url, 'a page without a session goes to the login')
    shot('login')
    login('lan')
    check(d.current_url.endswith('/batches'), 'the operator starts at the batches')
    check('Lô quét' in d.page_source, 'Vietnamese by default')
    shot('batches')
    step('operator logged in, sees the station\'s batches')

    d.get(url + '/review')
    rows = d.find_elements(By.CSS_SELECTOR, '#queue tbody tr')
    check(len(rows) >= 1, 'the review queue lists the low-confidence page')
    shot('review-queue')
    css('body').send_keys('j')
    go(css('body'), Keys.ENTER)
    check('/page/' in d.current_url, 'j and Enter open the page')
    shot('page-viewer')
    step('review queue: j, Enter opened the low-confidence page')

    words = d.find_elements(By.CSS_SELECTOR, '#ocr span.w')
    check(len(words) > 10, 'the OCR text is shown word by word')
    boxes = d.find_elements(By.CSS_SELECTOR, 'svg.boxes rect')
    check(len(boxes) == len(words), 'every word has its box over the scan')
    target = words[3]
    wid = target.get_attribute('data-w')
    target.click()
    check(css('#cw-id').get_attribute('value') == wid, 'clicking a word picks it for the correction')
    box = css('svg.boxes rect[data-w="%s"]' % wid)
    d.execute_script("arguments[0].dispatchEvent(new MouseEvent('mouseover', {bubbles: true}))", target)
    check('on' in box.get_attribute('class'), 'the word\'s box lights up on hover')
    t = css('#cw-text')
    t.clear()
    t.send_keys('SOHOATEST')
    go(css('form#correct button'))
    check(css('#ocr [data-w="%s"]' % wid).text == 'SOHOATEST', 'the correction is in the text')
    shot('corrected')
    step('corrected word %s' % wid)

    go(css('body'), 'a')
    check('/review' in d.current_url or '/page/' in d.current_url, 'a accepts the page')
    step('accepted the page with the key a')

    # the document: proposals, one field fixed, inline validation, split
    d.get(url + '/batches')
    go(css('table a[href^="/batch/"]'))
    go(css('a[href^="/document/"]'))
    doc_url = d.current_url.split('?')[0]
    shot('document')
    proposed = d.find_elements(By.CSS_SELECTOR, '.field.proposed')
    check(len(proposed) >= 1, 'OCR proposals are pre-filled and marked')
    go(css('form[action$="/accept"] button'))
    check(len(d.find_elements(By.CSS_SELECTOR, '.field.proposed')) == 0, 'proposals accepted')
    step('accepted %d metadata proposals' % len(proposed))
    f = css('input[name="f.issuedDate"]')
    f.clear()
    f.send_keys('31/02/2025')
    go(css('form.fields button'))
    err = css('.field.bad .ferr').text
    check('is not a date' in err, 'inline validation in the words of meta check: ' + err)
    shot('metadata-error')
    f = css('input[name="f.issuedDate"]')
    f.clear()
    f.send_keys('01/07/2025')
    go(css('form.fields button'))
    check('saved=1' in d.current_url, 'the fixed field is saved')
    check(css('input[name="f.issuedDate"]').get_attribute('value') == '01/07/2025', 'the date kept')
    step('fixed issuedDate after an inline error: ' + err)
    splits = d.find_elements(By.CSS_SELECTOR, 'ol.thumbs button[name=split]')
    check(len(splits) == 2, 'two pages in the document')
    go(splits[1])
    check(len(d.find_elements(By.CSS_SELECTOR, 'ol.thumbs li')) == 1, 'split: one page left')
    shot('split')
    step('split the document before its second page')

    # a rescan of the second page
    d.get(url + '/batches')
    go(css('table a[href^="/batch/"]'))
    links = d.find_elements(By.CSS_SELECTOR, 'table a[href^="/page/"]')
    go(links[1])
    css('form.rescan input[name=reason]').send_keys('góc trang bị mờ')
    go(css('form.rescan button'))
    d.get(url + '/batches')
    check('góc trang bị mờ' in d.page_source, 'the station\'s list shows the rescan request')
    shot('rescan')
    step('requested a rescan; the station\'s list shows it')
    # the new scan, uploaded from the station's list, replaces the page
    css('table input[type=file][name=scan]').send_keys(rescan)
    go(css('form[enctype="multipart/form-data"] button'))
    check('/page/' in d.current_url and 'rescan-scan' not in d.current_url, 'the upload opens the new page')
    d.get(url + '/batches')
    check('góc trang bị mờ' not in d.page_source, 'the rescan request is done')
    shot('rescan-taken')
    step('uploaded the rescan; it replaces the page')

    # search without diacritics, opening the viewer at the hit
    d.get(url + '/search')
    q = css('input[name=q]')
    q.send_keys('luu tru')
    go(q, Keys.ENTER)
    hits = d.find_elements(By.CSS_SELECTOR, 'ol.hits li a')
    check(len(hits) >= 1, 'search without diacritics finds the text')
    check('<mark>' in d.page_source, 'the hit is marked in the snippet')
    shot('search')
    go(hits[0])
    check(len(d.find_elements(By.CSS_SELECTOR, '#hit')) == 1, 'the viewer opens at the hit')
    shot('search-hit')
    step('searched "luu tru" and opened the hit')

    # ---- the supervisor's day
    login('sup')
    check(d.current_url.endswith('/dashboard'), 'the supervisor starts at the dashboard')
    check(len(d.find_elements(By.CSS_SELECTOR, 'svg.chart rect')) == 31, 'throughput drawn (24 h + 7 days)')
    shot('dashboard')
    go(css('form[action*="/release"] button'))
    check(d.current_url.endswith('/dashboard'), 'back on the dashboard after the release')
    step('released the held page')
    form = css('form[action="/dashboard/priority"]')
    form.find_element(By.NAME, 'value').send_keys('50')
    form.find_element(By.NAME, 'reason').send_keys('yêu cầu khai thác gấp')
    go(form.find_element(By.CSS_SELECTOR, 'button'))
    check('<b>50.0</b>' in d.page_source, 'the override is shown')
    shot('priority')
    step('changed a priority with a reason')
    go(css('a[href="/lang/en"]'))
    check('Dashboard' in d.page_source and 'Queues per stage' in d.page_source, 'English by the switch')
    shot('dashboard-en')
    step('switched to English')
    go(css('form[action="/logout"] button'))
    check('/login' in d.current_url, 'logged out')
    step('logged out')
except Exception:
    traceback.print_exc()
    d.quit()
    sys.exit(1)
d.quit()
