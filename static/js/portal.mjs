// Progressive enhancement only: every page works without this script.
import { initAll } from './govuk-frontend.min.js'

initAll()

// The GOV.UK timeout warning. The server signs a session out after a while without requests;
// a little before that, a modal dialog says so and offers to stay signed in (a request that
// keeps the session alive) or to sign out now. Escape means "stay signed in", as in GOV.UK's.
function initTimeoutWarning (dialog) {
  const idleSeconds = Number(dialog.dataset.idleSeconds)
  const signOutForm = document.getElementById('sign-out-form')
  if (!idleSeconds || !signOutForm || typeof dialog.showModal !== 'function') return
  // Sign out a few seconds before the server would, so that the sign-out form still works.
  const deadlineSeconds = Math.max(idleSeconds - 5, 1)
  const warnSeconds = Math.min(120, Math.floor(idleSeconds / 2))
  const countdown = dialog.querySelector('.portal-timeout__countdown')
  const announcement = dialog.querySelector('[data-timeout-announcement]')
  const csrfToken = signOutForm.querySelector('input[name="csrf_token"]').value
  let deadline = 0
  let warnTimer = 0
  let tickTimer = 0
  let opener = null

  const inWords = (seconds) => {
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60)
      return `${minutes} minute${minutes === 1 ? '' : 's'}`
    }
    return `${seconds} second${seconds === 1 ? '' : 's'}`
  }

  const signOut = (reason) => {
    window.clearInterval(tickTimer)
    if (reason) {
      const input = document.createElement('input')
      input.type = 'hidden'
      input.name = 'reason'
      input.value = reason
      signOutForm.appendChild(input)
    }
    signOutForm.submit()
  }

  const tick = () => {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000))
    countdown.textContent = inWords(left)
    // Screen readers hear the warning when it opens, then at one minute and at 20 seconds:
    // not every second.
    if (left === 60 || left === 20) {
      announcement.textContent = `You will be signed out in ${inWords(left)}.`
    }
    if (left === 0) signOut('idle')
  }

  const schedule = () => {
    deadline = Date.now() + deadlineSeconds * 1000
    window.clearTimeout(warnTimer)
    warnTimer = window.setTimeout(open, (deadlineSeconds - warnSeconds) * 1000)
  }

  const open = () => {
    opener = document.activeElement
    tick()
    announcement.textContent = `You will be signed out in ${inWords(warnSeconds)}.`
    dialog.showModal()
    dialog.focus()
    tickTimer = window.setInterval(tick, 1000)
  }

  const close = () => {
    window.clearInterval(tickTimer)
    announcement.textContent = ''
    dialog.close()
    if (opener && typeof opener.focus === 'function') opener.focus()
  }

  const stay = async () => {
    close()
    try {
      const response = await fetch(dialog.dataset.keepAliveUrl, {
        method: 'POST',
        headers: { 'X-CSRFToken': csrfToken },
        credentials: 'same-origin',
        redirect: 'manual'
      })
      if (response.status === 204) {
        schedule()
        return
      }
    } catch (error) {
      // Offline or the server is unreachable: fall through to the sign-in page.
    }
    window.location.assign(dialog.dataset.signedOutUrl)
  }

  dialog.querySelector('[data-timeout-stay]').addEventListener('click', stay)
  dialog.querySelector('[data-timeout-sign-out]').addEventListener('click', () => signOut(''))
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault() // Escape: stay signed in, as the button does
    stay()
  })
  schedule()
}

const timeoutWarning = document.getElementById('timeout-warning')
if (timeoutWarning) initTimeoutWarning(timeoutWarning)

// Loading spend files takes a few seconds for a year of them: on submit, say that loading is
// under way (a live region, so screen readers hear it) and stop a second submit. Without this
// script the page says so in its text, and the browser shows its own progress.
for (const form of document.querySelectorAll('form[data-module="portal-loading"]')) {
  const status = form.querySelector('.portal-loading-status')
  let sent = false
  form.addEventListener('submit', (event) => {
    if (sent) {
      event.preventDefault()
      return
    }
    sent = true
    if (status) {
      status.hidden = false
      status.textContent = 'Loading your files. This can take a few seconds for a year of files: stay on this page.'
    }
    for (const button of form.querySelectorAll('button[type="submit"], input[type="submit"]')) {
      button.setAttribute('aria-disabled', 'true')
    }
  })
}
