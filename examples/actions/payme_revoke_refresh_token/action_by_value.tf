# A token known only by its value, such as one found in a leaked file.
# Terraform refuses ephemeral values in an action's configuration, so this
# variable can only be sensitive: pass it as TF_VAR_leaked_refresh_token to
# terraform apply -invoke, and do not save a plan (-out), which would hold it.
variable "leaked_refresh_token" {
  type      = string
  sensitive = true
}

action "payme_revoke_refresh_token" "by_value" {
  config {
    refresh_token = var.leaked_refresh_token
  }
}
