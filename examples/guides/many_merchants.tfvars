# The sandbox guide's three merchants (sandbox_merchants.json). Secrets stay
# out of this file: export them, for example
#   TF_VAR_client_secrets='{bodega="bodega-lima-secret",libreria="libreria-cusco-secret",cafe="cafe-arequipa-secret"}'
#   TF_VAR_passwords='{bodega="bodega-lima-password",libreria="libreria-cusco-password",cafe="cafe-arequipa-password"}'
merchants = {
  bodega = {
    client_id = "bodega-lima"
    username  = "caja@bodega-lima.example"
    scopes    = ["create:token", "post:charges"]
  }
  libreria = {
    client_id = "libreria-cusco"
    username  = "ventas@libreria-cusco.example"
    scopes    = ["create:token", "post:charges"]
  }
  cafe = {
    client_id = "cafe-arequipa"
    username  = "admin@cafe-arequipa.example"
    scopes    = ["create:token", "get:charges"]
  }
}
