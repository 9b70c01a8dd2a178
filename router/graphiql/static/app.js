// FitGraph GraphiQL bootstrap: sign in through the router's `login` mutation, keep the access
// token for this tab (sessionStorage), let the router confirm the admin role (/session), then
// mount GraphiQL with `Authorization: Bearer <token>` on every request (introspection included).
(function () {
  "use strict";
  var body = document.body;
  var endpoint = new URL(body.dataset.endpoint, location.href).href;
  var sessionUrl = new URL(body.dataset.session, location.href).href;
  var loginMutation = body.dataset.loginMutation;
  var TOKEN_KEY = "fitgraph.graphiql.token";

  function show(id) {
    ["login", "refused", "graphiql"].forEach(function (name) {
      document.getElementById(name).hidden = name !== id;
    });
    document.getElementById("signout").hidden = id === "login";
  }

  function signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    location.reload();
  }

  function mount(token) {
    show("graphiql");
    var fetcher = GraphiQL.createFetcher({
      url: endpoint,
      headers: { authorization: "Bearer " + token },
    });
    var plugins = [];
    if (window.GraphiQLPluginExplorer) {
      plugins.push(GraphiQLPluginExplorer.explorerPlugin());
    }
    var params = new URLSearchParams(location.search);
    var props = {
      fetcher: fetcher,
      plugins: plugins,
      shouldPersistHeaders: false,
      defaultQuery: "# Signed in as an admin. Press Ctrl-Enter to run.\n{\n  __typename\n}\n",
    };
    if (params.get("query")) {
      props.query = params.get("query");
    }
    ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(GraphiQL, props));
  }

  function start(token) {
    return fetch(sessionUrl, { headers: { authorization: "Bearer " + token } }).then(function (response) {
      if (response.status === 200) {
        mount(token);
        return;
      }
      sessionStorage.removeItem(TOKEN_KEY);
      if (response.status === 403) {
        show("refused");
      } else {
        show("login");
      }
    });
  }

  function fail(message) {
    document.getElementById("login-error").textContent = message;
  }

  document.getElementById("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    fail("");
    var input = {
      email: document.getElementById("email").value,
      password: document.getElementById("password").value,
    };
    fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query: loginMutation, operationName: "Login", variables: { input: input } }),
    })
      .then(function (response) { return response.json(); })
      .then(function (result) {
        var token = result && result.data && result.data.login && result.data.login.accessToken;
        if (!token) {
          var error = result && result.errors && result.errors[0];
          var code = error && error.extensions && error.extensions.code;
          // The router may redact subgraph messages; the code survives.
          fail(code === "UNAUTHENTICATED" ? "Wrong e-mail or password" : (error && error.message) || "Sign-in failed");
          return;
        }
        sessionStorage.setItem(TOKEN_KEY, token);
        return start(token);
      })
      .catch(function () { fail("The router cannot be reached"); });
  });
  document.getElementById("signout").addEventListener("click", signOut);

  var saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) {
    start(saved);
  } else {
    show("login");
  }
})();
