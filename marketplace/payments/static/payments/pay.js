/* Stripe Payment Element: the browser confirms the intent with Stripe; card data never
   reaches our server. Alipay and WeChat Pay redirect, then come back to the return URL. */
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form) { return; }
  var button = document.getElementById("pay-submit");
  var message = document.getElementById("pay-message");
  function show(text) { message.textContent = text; message.hidden = false; }
  if (typeof window.Stripe !== "function") { show(form.dataset.loadingFailedText); return; }
  var stripe = window.Stripe(form.dataset.publishableKey, { locale: "zh" });
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  var element = elements.create("payment");
  var holder = document.getElementById("payment-element");
  holder.textContent = "";
  element.mount(holder);
  element.on("ready", function () { button.disabled = false; });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    message.hidden = true;
    stripe.confirmPayment({
      elements: elements,
      confirmParams: { return_url: form.dataset.returnUrl }
    }).then(function (result) {
      // Only reached when confirming failed before any redirect (e.g. a declined card).
      if (result.error) {
        show(form.dataset.failedText + (result.error.message || ""));
        button.disabled = false;
      }
    });
  });
})();
