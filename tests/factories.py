from datetime import date

import factory
from allauth.account.models import EmailAddress

from accounts.models import User

PASSWORD = "correct-horse-battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    """A user who can sign in: verified primary e-mail, known password."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persona{n}@ejemplo.co")
    name = factory.Faker("name", locale="es_CO")
    password = factory.django.Password(PASSWORD)  # hashed before the row is written (one INSERT)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


ADULT_BIRTH = date(1990, 1, 15)
