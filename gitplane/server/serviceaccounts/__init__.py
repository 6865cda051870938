"""ServiceAccount tokens: the signing key and JWTs (:mod:`.signing`), the claims and the authenticator's check
(:mod:`.tokens`), and the TokenRequest subresource that issues them (:mod:`.tokenrequest`)."""
